/**
 * Starts the embedded worlds the run asked for: the task website with one headless Chromium
 * (web), and the offline Minecraft server with its bots (minecraft). Nothing is downloaded.
 */
import type { Environment } from '@chimera/toolbelt';
import { createMinecraftEnvironment } from '@chimera/worlds/minecraft';
import { createWebEnvironment } from '@chimera/worlds/web';

export interface Worlds {
  environments: Environment[];
  /** Which families the curriculum and the evaluations use. */
  families(environment: string, family: string): boolean;
  /** The cooperative Minecraft task used for the collaborative session, when Minecraft runs. */
  collaborative?: { environment: string; family: string; difficulty: number };
  /** The environment of the adversarial session, when the web runs. */
  adversarialEnvironment?: string;
  close(): Promise<void>;
}

/** Cooperative tasks are played by two agents together, never by one agent alone. */
const MULTI_AGENT_ONLY = new Set(['minecraft/coop-craft']);

export async function startWorlds(
  which: 'web' | 'minecraft' | 'both',
  options: { onLog?: (line: string) => void } = {},
): Promise<Worlds> {
  const environments: Environment[] = [];
  try {
    if (which !== 'minecraft') {
      const t0 = performance.now();
      const web = await createWebEnvironment();
      environments.push(web);
      options.onLog?.(
        `web: task site on ${web.site.origin}, Chromium ready in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
    if (which !== 'web') {
      const t0 = performance.now();
      const minecraft = await createMinecraftEnvironment({ seed: 1 });
      environments.push(minecraft);
      options.onLog?.(
        `minecraft: offline server on 127.0.0.1:${minecraft.server?.port}, ready in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
  } catch (error) {
    await Promise.all(environments.map((e) => e.close().catch(() => undefined)));
    throw error;
  }
  return {
    environments,
    families: (environment, family) => !MULTI_AGENT_ONLY.has(`${environment}/${family}`),
    ...(which !== 'web'
      ? { collaborative: { environment: 'minecraft', family: 'coop-craft', difficulty: 0 } }
      : {}),
    ...(which !== 'minecraft' ? { adversarialEnvironment: 'web' } : {}),
    close: async () => {
      await Promise.all(environments.map((e) => e.close().catch(() => undefined)));
    },
  };
}
