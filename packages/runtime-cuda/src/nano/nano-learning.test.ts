/**
 * chimera-nano learns, through its adapter alone and a zeroth-order optimizer (QuZO, 4-bit
 * perturbations), what word overlap cannot give: which confirm button a site variant uses, and
 * that a negated word marks the wrong candidate. Held-out tasks use products and colours never
 * seen in training, so only the association itself can carry over.
 */
import { describe, expect, it } from 'vitest';
import { QuZOOptimizer } from '../quzo/quzo-optimizer';
import type { NanoGroup } from './featurizer';
import { NanoPolicyModel } from './nano-policy-model';
import { candidateAccuracy, candidateCrossEntropy } from './policy-loss';
import { seededUniform } from './seeded-random';
import { NANO_TRAINING_DEFAULTS } from './training-defaults';

interface Task extends NanoGroup {
  target: number;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const VARIANTS = ['nordwind', 'sudhafen', 'ostkamm', 'westbrise', 'talgrund'];
const CONFIRM = ['Bestätigen', 'Place order', 'Jetzt kaufen', 'Complete purchase', 'Proceed'];
const PRODUCTS = {
  train: ['lamp', 'chair', 'kettle', 'blanket', 'mug', 'desk', 'sofa', 'rug'],
  heldout: ['teapot', 'stool', 'curtain', 'shelf'],
};

/** Site variant k confirms with CONFIRM[k]; nothing in the goal names the button. */
function siteConvention(seed: number, split: 'train' | 'heldout'): Task {
  const random = seededUniform(seed * 7919 + (split === 'train' ? 1 : 2));
  const k = Math.floor(random() * VARIANTS.length);
  const product = PRODUCTS[split][Math.floor(random() * PRODUCTS[split].length)]!;
  const options = shuffle(
    [
      ...CONFIRM.map((label, i) => ({ label, ok: i === k })),
      { label: 'Cancel', ok: false },
      { label: 'Help', ok: false },
    ],
    random,
  );
  return {
    context: {
      goal: `Buy the ${product}`,
      observation: `site variant-${VARIANTS[k]} checkout, cart: ${product}`,
    },
    candidates: options.map((o, i) => `click e${10 + i} button "${o.label}"`),
    target: options.findIndex((o) => o.ok),
  };
}

const COLOURS = {
  train: ['red', 'blue', 'green', 'yellow', 'black'],
  heldout: ['purple', 'orange', 'white', 'pink'],
};

/** "not red and not blue": overlap points at the wrong candidates; the right one is never named. */
function negation(seed: number, split: 'train' | 'heldout'): Task {
  const random = seededUniform(seed * 104729 + (split === 'train' ? 3 : 4));
  const [a, b, right] = shuffle([...COLOURS[split]], random);
  const options = shuffle([a!, b!, right!], random);
  return {
    context: `Pick the hat that is not ${a} and not ${b}`,
    candidates: options.map((c, i) => `click e${20 + i} button "${c} hat"`),
    target: options.indexOf(right!),
  };
}

const STAGES = [
  'collect oak log',
  'craft oak planks',
  'craft crafting table',
  'craft sticks',
  'craft wooden pickaxe',
];
const JUNK = {
  train: ['dirt', 'cobblestone', 'sand', 'gravel', 'flower'],
  heldout: ['wool', 'seeds', 'apple', 'feather', 'bone'],
};

/** Recipe order: the next step depends on the inventory; the goal names only the last step. */
function craftingOrder(seed: number, split: 'train' | 'heldout'): Task {
  const random = seededUniform(seed * 15485863 + (split === 'train' ? 5 : 6));
  const stage = Math.floor(random() * STAGES.length);
  const inventory: string[] = [];
  if (stage === 1) inventory.push(`oak log ${1 + Math.floor(random() * 3)}`);
  if (stage >= 2) inventory.push(`oak planks ${2 + Math.floor(random() * 6)}`);
  if (stage >= 3) inventory.push('crafting table 1');
  if (stage >= 4) inventory.push(`sticks ${2 + Math.floor(random() * 4)}`);
  const junk = JUNK[split];
  inventory.push(`${junk[Math.floor(random() * junk.length)]} ${1 + Math.floor(random() * 9)}`);
  const options = shuffle(
    [
      ...STAGES.map((text, i) => ({ text, ok: i === stage })),
      { text: 'mine stone', ok: false },
      { text: `place ${junk[0]}`, ok: false },
    ],
    random,
  );
  return {
    context: {
      goal: split === 'train' ? 'Make a wooden pickaxe' : 'Get yourself a wooden pickaxe',
      observation: `inventory: ${shuffle(inventory, random).join(', ')}`,
    },
    candidates: options.map((o) => o.text),
    target: options.findIndex((o) => o.ok),
  };
}

const BUTTONS = [
  'Save draft',
  'Delete account',
  'Open settings',
  'Export report',
  'Share link',
  'Print invoice',
  'Archive mail',
  'Rename folder',
];

/** The control: the goal names the button, so word overlap solves it before any training. */
function namedButton(seed: number, split: 'train' | 'heldout'): Task {
  const random = seededUniform(seed * 49979687 + (split === 'train' ? 7 : 8));
  const options = shuffle([...BUTTONS], random).slice(0, 6);
  const target = Math.floor(random() * options.length);
  return {
    context: {
      goal: `Please ${options[target]!.toLowerCase()} now`,
      observation: `page with buttons ${options.join(', ')}`,
    },
    candidates: options.map((o, i) => `click e${30 + i} button "${o}"`),
    target,
  };
}

const FAMILIES = [siteConvention, negation, craftingOrder, namedButton];

/** One adapter for all four families, tasks interleaved. */
function mixed(seed: number, split: 'train' | 'heldout'): Task {
  return FAMILIES[seed % FAMILIES.length]!(Math.floor(seed / FAMILIES.length), split);
}

async function train(
  generate: (seed: number, split: 'train' | 'heldout') => Task,
  steps: number,
  { heldoutSize = 100, batchSize = NANO_TRAINING_DEFAULTS.batchSize as number } = {},
) {
  const model = await NanoPolicyModel.create();
  const lora = model.createLora(1);
  const heldout = Array.from({ length: heldoutSize }, (_, i) => generate(i, 'heldout'));
  const heldoutBatch = model.prepare(heldout);
  const targets = heldout.map((t) => t.target);
  const evaluate = async () => {
    const { logits } = await model.score(heldoutBatch, lora);
    return { accuracy: candidateAccuracy(logits, targets), loss: candidateCrossEntropy(logits, targets) };
  };
  const familyAccuracy = async () => {
    const out: Record<string, number> = {};
    for (const [f, family] of FAMILIES.entries()) {
      const idx = heldout.map((_, i) => i).filter((i) => i % FAMILIES.length === f);
      const { logits } = await model.score(model.prepare(idx.map((i) => heldout[i]!)), lora);
      out[family.name] = candidateAccuracy(
        logits,
        idx.map((i) => targets[i]!),
      );
    }
    return out;
  };
  const perFamilyBefore = generate === mixed ? await familyAccuracy() : undefined;
  const before = await evaluate();
  // #region nano-quzo-training
  const optimizer = new QuZOOptimizer({
    params: lora.policyParameters(), // LoRA factors + lexical weights, perturbed in place
    lr: NANO_TRAINING_DEFAULTS.lr,
    eps: NANO_TRAINING_DEFAULTS.eps,
    perturbBits: NANO_TRAINING_DEFAULTS.perturbBits,
    gradBits: NANO_TRAINING_DEFAULTS.gradBits,
    directions: 1,
    seed: 7,
  });
  for (let step = 0; step < steps; step++) {
    const tasks = Array.from({ length: batchSize }, (_, i) => generate(step * batchSize + i, 'train'));
    const batch = model.prepare(tasks); // featurize once, score twice per step
    const labels = tasks.map((t) => t.target);
    await optimizer.step(async () => candidateCrossEntropy((await model.score(batch, lora)).logits, labels));
  }
  // #endregion
  const after = await evaluate();
  const perFamily = generate === mixed ? await familyAccuracy() : undefined;
  // Set NANO_LEARNING_REPORT=1 to print the numbers quoted in docs/runtime-cuda.md.
  if (process.env.NANO_LEARNING_REPORT)
    console.info(generate.name, steps, 'steps', { before, after, perFamilyBefore, perFamily });
  await model.release();
  return { before, after, perFamily };
}

describe('chimera-nano learns non-lexical associations through its adapter (QuZO)', () => {
  it('site variant -> confirm button label, on held-out products', async () => {
    const { before, after } = await train(siteConvention, 800, { batchSize: 16 });
    // 7 candidates: chance is 14%; the untrained model has nothing to go on.
    expect(before.accuracy).toBeLessThan(0.45);
    expect(after.accuracy).toBeGreaterThan(before.accuracy + 0.3);
    expect(after.loss).toBeLessThan(before.loss);
  }, 120_000);

  it('negation, on held-out colours', async () => {
    const { before, after } = await train(negation, 150, { batchSize: 16 });
    // Word overlap picks a negated colour at step 0.
    expect(before.accuracy).toBeLessThan(0.1);
    expect(after.accuracy).toBeGreaterThan(0.9);
  }, 120_000);

  // About 2,500 steps (15-30 s here): run with NANO_LEARNING_FULL=1 (and NANO_LEARNING_REPORT=1 for the numbers).
  it.runIf(process.env.NANO_LEARNING_FULL === '1')(
    'one adapter learns all four families at once, on held-out tasks',
    async () => {
      const { before, after, perFamily } = await train(mixed, 2500, { heldoutSize: 400 });
      expect(after.accuracy).toBeGreaterThan(before.accuracy + 0.3);
      expect(perFamily!.namedButton).toBeGreaterThan(0.95);
      expect(perFamily!.craftingOrder).toBeGreaterThan(0.6);
    },
    300_000,
  );
});
