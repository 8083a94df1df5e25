/**
 * A small in-memory environment for fast tests of the cycle: two families.
 * - `conventions` (needs experience): "finish the purchase"; each site variant labels its confirm
 *   button differently and shows decoys; the variant is visible in the observation.
 * - `lexical`: "click the <label> button": the goal names the button.
 */
import type {
  CandidateAction,
  Environment,
  EnvironmentSession,
  Observation,
  StepOutcome,
  TaskGenerator,
  TaskSpec,
  ToolCall,
} from '@chimera/toolbelt';

const SITES = [
  { brand: 'Nordwind', confirm: 'Bestellen' },
  { brand: 'Azul', confirm: 'Finalizar' },
  { brand: 'Kite', confirm: 'Go ahead' },
];
const DECOYS = ['Confirm', 'Purchase', 'Cancel', 'Help', 'Back', 'Save for later'];
const WORDS = ['red', 'blue', 'green', 'amber', 'violet', 'teal', 'olive', 'coral', 'ivory', 'slate'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function conventionGenerator(): TaskGenerator {
  return {
    environment: 'toy',
    families: () => [
      {
        environment: 'toy',
        family: 'conventions',
        description: 'site-specific confirm label',
        difficulties: [0],
        needsExperience: true,
        skills: ['form-filling'],
      },
      {
        environment: 'toy',
        family: 'lexical',
        description: 'click the named button',
        difficulties: [0],
        needsExperience: false,
        skills: ['navigation'],
      },
    ],
    generate({ family, difficulty, seed, split }): TaskSpec {
      const r = rng(seed * 31 + (split === 'heldout' ? 7 : 0));
      const site = SITES[Math.floor(r() * SITES.length)]!;
      const buttons = [...DECOYS].sort(() => r() - 0.5).slice(0, 3);
      const target =
        family === 'conventions'
          ? site.confirm
          : `${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]}`;
      buttons.splice(Math.floor(r() * 4), 0, target);
      if (family === 'conventions') {
        for (const other of SITES) if (other !== site && r() < 0.5) buttons.push(other.confirm);
      }
      return {
        id: `toy-${family}-${difficulty}-${seed}-${split}`,
        environment: 'toy',
        family,
        difficulty,
        goal: family === 'conventions' ? 'finish the purchase' : `click the ${target} button`,
        seed,
        split,
        needsExperience: family === 'conventions',
        maxSteps: 2,
        tags: [family === 'conventions' ? 'form-filling' : 'navigation'],
        params: { brand: site.brand, buttons, target },
      };
    },
  };
}

class ToySession implements EnvironmentSession {
  private clicked: string | undefined;
  constructor(readonly task: TaskSpec) {}
  private observation(): Observation {
    const { brand, buttons } = this.task.params as { brand: string; buttons: string[] };
    return {
      text: `site ${brand}. buttons: ${buttons.join(', ')}${this.clicked ? `. clicked ${this.clicked}` : ''}`,
      data: {
        brand,
        buttons,
        clicked: this.clicked ?? null,
        // For episodic memory: the same page of a brand, whatever the decoys' order.
        situation: `${brand}:${this.clicked ? 'after' : 'start'}`,
      },
    };
  }
  async observe(): Promise<Observation> {
    return this.observation();
  }
  candidates(): CandidateAction[] {
    const { buttons } = this.task.params as { buttons: string[] };
    return buttons.map((b) => ({ call: { tool: 'click', args: { label: b } }, text: `click button "${b}"` }));
  }
  async step(call: ToolCall): Promise<StepOutcome> {
    const label = (call.args as { label: string }).label;
    this.clicked = label;
    const success = label === (this.task.params as { target: string }).target;
    return {
      observation: this.observation(),
      reward: success ? 1 : 0,
      done: true,
      truncated: false,
      result: { ok: true, tool: 'click', value: { clicked: label }, durationMs: 0 },
    };
  }
  async verdict() {
    const success = this.clicked === (this.task.params as { target: string }).target;
    return { success, score: success ? 1 : 0 };
  }
  async close() {}
}

export function conventionWorld(): Environment {
  const generator = conventionGenerator();
  return {
    name: 'toy',
    generator,
    start: async (task) => new ToySession(task),
    close: async () => {},
  };
}
