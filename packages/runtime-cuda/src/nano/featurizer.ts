/**
 * Turns (context, candidates) groups into the tensors chimera-nano's graph reads: pooled hashed
 * embeddings of every text, the group index of each candidate, and lexical features. Per-text work
 * is cached (LRU): candidate texts and goals recur step after step, so a decision usually only
 * featurizes the new observation.
 */
import type { NanoBaseWeights } from './base-weights';
import { FUNCTION_WORDS, fnv1a, hashTokenize, wordTokens } from './hash-tokenizer';
import { NANO_LEXICAL_FEATURES, type NanoConfig } from './nano-config';
import { NanoModelError } from './nano-error';

/** What the policy reads for one decision. A plain string is treated as the goal alone. */
export type NanoContext =
  | string
  | {
      goal: string;
      /** Name (and optionally description) of the active self. */
      self?: string;
      /** Compact observation text. */
      observation?: string;
      /** Short episode history, e.g. the last few actions taken; strings are joined with newlines. */
      history?: string | readonly string[];
    };

export interface NanoGroup {
  context: NanoContext;
  candidates: readonly string[];
}

/** A batch ready for the graph (and for the reference forward): see `NanoPolicyModel.prepare`. */
export interface PreparedBatch {
  groups: number;
  candidates: number;
  /** Candidates per group, in order. */
  counts: Int32Array;
  /** [groups, dim] pooled context embeddings. */
  contextX: Float32Array;
  /** [candidates, dim] pooled candidate embeddings. */
  candidateX: Float32Array;
  /** [candidates] index of each candidate's group. */
  candidateGroup: BigInt64Array;
  /** [candidates, features] lexical features (see NANO_LEXICAL_FEATURES). */
  lexical: Float32Array;
}

interface TextFeatures {
  /** Unit-norm pooled embedding (zero for a text with no tokens). */
  pooled: Float32Array;
  /** Distinct plain word hashes. */
  words: Int32Array;
  /** Distinct hashes of words a negation applies to. */
  negated: Int32Array;
}

const FEATURES = NANO_LEXICAL_FEATURES.length;

export class NanoFeaturizer {
  private readonly cache = new Map<string, TextFeatures>();

  constructor(
    private readonly config: NanoConfig,
    private readonly base: NanoBaseWeights,
  ) {}

  get cacheEntries(): number {
    return this.cache.size;
  }

  /** Featurizes one text (cached, least recently used entries evicted first). */
  text(text: string): TextFeatures {
    const hit = this.cache.get(text);
    if (hit) {
      // Re-insert: a Map iterates in insertion order, so the oldest entry is always first.
      this.cache.delete(text);
      this.cache.set(text, hit);
      return hit;
    }
    const features = this.compute(text);
    this.cache.set(text, features);
    if (this.cache.size > this.config.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return features;
  }

  private compute(text: string): TextFeatures {
    const { dim, buckets } = this.config;
    const table = this.base.embedding.data;
    const pooled = new Float32Array(dim);
    const { ids, weights } = hashTokenize(text, buckets);
    for (let i = 0; i < ids.length; i++) {
      const row = ids[i]! * dim;
      const w = weights[i]!;
      for (let j = 0; j < dim; j++) pooled[j]! += w * table[row + j]!;
    }
    normalize(pooled);
    const words = new Set<number>();
    const negated = new Set<number>();
    for (const t of wordTokens(text)) {
      if (FUNCTION_WORDS.has(t.word)) continue;
      const h = fnv1a(t.word, 1) | 0;
      words.add(h);
      if (t.negated) negated.add(h);
    }
    return { pooled, words: Int32Array.from(words), negated: Int32Array.from(negated) };
  }

  prepare(batch: readonly NanoGroup[]): PreparedBatch {
    if (!Array.isArray(batch as unknown)) {
      throw new NanoModelError('score batch must be an array of { context, candidates }');
    }
    const { dim } = this.config;
    const groups = batch.length;
    const counts = new Int32Array(groups);
    let total = 0;
    batch.forEach((g, i) => {
      if (!g || !Array.isArray(g.candidates as unknown)) {
        throw new NanoModelError(`batch[${i}] needs a candidates array of strings`);
      }
      counts[i] = g.candidates.length;
      total += g.candidates.length;
    });
    const contextX = new Float32Array(groups * dim);
    const candidateX = new Float32Array(total * dim);
    const candidateGroup = new BigInt64Array(total);
    const lexical = new Float32Array(total * FEATURES);
    let offset = 0;
    for (let gi = 0; gi < groups; gi++) {
      const group = batch[gi]!;
      const sections = this.contextSections(group.context, gi);
      contextX.set(sections.pooled, gi * dim);
      const cands = group.candidates.map((c, ci) => {
        if (typeof c !== 'string')
          throw new NanoModelError(`batch[${gi}].candidates[${ci}] must be a string`);
        return this.text(c);
      });
      lexicalFeatures(cands, sections, lexical, offset);
      cands.forEach((c, ci) => {
        candidateX.set(c.pooled, (offset + ci) * dim);
        candidateGroup[offset + ci] = BigInt(gi);
      });
      offset += cands.length;
    }
    return { groups, candidates: total, counts, contextX, candidateX, candidateGroup, lexical };
  }

  private contextSections(context: NanoContext, index: number): ContextSections {
    const parts =
      typeof context === 'string'
        ? { goal: context }
        : context && typeof context === 'object'
          ? context
          : undefined;
    if (!parts || typeof parts.goal !== 'string') {
      throw new NanoModelError(
        `batch[${index}].context must be a string or { goal: string; self?; observation?; history? }`,
      );
    }
    const history = Array.isArray(parts.history)
      ? parts.history.join('\n')
      : (parts.history as string | undefined);
    const weights = this.config.sectionWeights;
    const goal = this.text(parts.goal);
    const self = parts.self ? this.text(parts.self) : undefined;
    const observation = parts.observation ? this.text(parts.observation) : undefined;
    const past = history ? this.text(history) : undefined;
    const pooled = new Float32Array(this.config.dim);
    const add = (f: TextFeatures | undefined, w: number) => {
      if (f) for (let j = 0; j < pooled.length; j++) pooled[j]! += w * f.pooled[j]!;
    };
    add(goal, weights.goal);
    add(self, weights.self);
    add(observation, weights.observation);
    add(past, weights.history);
    normalize(pooled);
    return { pooled, goal, self, history: past };
  }
}

interface ContextSections {
  pooled: Float32Array;
  goal: TextFeatures;
  self: TextFeatures | undefined;
  history: TextFeatures | undefined;
}

function normalize(v: Float32Array): void {
  let norm = 0;
  for (let j = 0; j < v.length; j++) norm += v[j]! * v[j]!;
  if (norm === 0) return;
  const inv = 1 / Math.sqrt(norm);
  for (let j = 0; j < v.length; j++) v[j]! *= inv;
}

/**
 * Writes NANO_LEXICAL_FEATURES for one group. Word weights are an idf within the group: a word
 * every candidate shares ("click", "button") says nothing about which one to pick.
 */
function lexicalFeatures(
  cands: TextFeatures[],
  context: ContextSections,
  out: Float32Array,
  offset: number,
): void {
  const n = cands.length;
  if (n === 0) return;
  const df = new Map<number, number>();
  for (const c of cands) for (const w of c.words) df.set(w, (df.get(w) ?? 0) + 1);
  const idf = (w: number) => Math.log((n + 1) / ((df.get(w) ?? 0) + 0.5));
  const goalWords = new Set(context.goal.words);
  const negated = new Set(context.goal.negated);
  const history = new Set(context.history?.words ?? []);
  const self = new Set(context.self?.words ?? []);
  // Denominators of the coverage features: the discriminative mass of goal words any candidate has.
  let goalMass = 0;
  for (const w of goalWords) if (df.has(w)) goalMass += idf(w);
  let negatedMass = 0;
  for (const w of negated) if (df.has(w)) negatedMass += idf(w);
  for (let ci = 0; ci < n; ci++) {
    let own = 0;
    let inGoal = 0;
    let inNegated = 0;
    let inHistory = 0;
    let inSelf = 0;
    for (const w of cands[ci]!.words) {
      const v = idf(w);
      own += v;
      if (goalWords.has(w)) inGoal += v;
      if (negated.has(w)) inNegated += v;
      if (history.has(w)) inHistory += v;
      if (self.has(w)) inSelf += v;
    }
    const row = (offset + ci) * FEATURES;
    out[row] = goalMass > 0 ? inGoal / goalMass : 0;
    out[row + 1] = own > 0 ? inGoal / own : 0;
    out[row + 2] = negatedMass > 0 ? inNegated / negatedMass : 0;
    out[row + 3] = own > 0 ? inHistory / own : 0;
    out[row + 4] = own > 0 ? inSelf / own : 0;
  }
}
