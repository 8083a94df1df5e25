/**
 * The System of Selves for the agent: the blueprint's roster as PEFT adapters on chimera-nano,
 * resident in RAM and hot-swapped per decision, with the Meta-Cognitive Controller choosing among
 * them (and a second controller instance for the partner agent of collaborative sessions).
 */
import type { Controller, SelvesHost } from '@chimera/phoenix';
import type { NanoPolicyModel } from '@chimera/runtime-cuda';
import { createNanoSelves } from '@chimera/selves';
import type { ExperienceStore } from '@chimera/ues';

export interface AgentSelves {
  host: SelvesHost;
  controller: Controller;
  partner: Controller;
  internal: string[];
  swapStats(): { count: number; meanLatencyMs: number };
}

export async function createAgentSelves(options: {
  dir: string;
  model: NanoPolicyModel;
  store: ExperienceStore;
  seed: number;
}): Promise<AgentSelves> {
  const selves = await createNanoSelves({
    dir: options.dir,
    model: options.model,
    store: options.store,
    seed: options.seed,
  });
  return {
    host: selves,
    controller: selves.controller,
    partner: selves.partner,
    internal: selves.internal,
    swapStats: () => selves.swapStats(),
  };
}
