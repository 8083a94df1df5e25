/**
 * The Unified Experience Schema: one record e_t = (s_t, a_t, r_t, s_t+1, m_t) per agent step.
 * Records are immutable once appended; learning signals (TD error, learning progress, priority)
 * live beside them as versioned rows (see store/experience-store.ts), never inside them.
 *
 * Objects are strict: an unknown key is refused rather than silently dropped, so nothing a caller
 * wrote is lost. Free-form places (observations, tool arguments and results, `metadata.extra`,
 * `metadata.mcc`) take any JSON.
 */
import { z } from 'zod';
import { describeValue } from './json-value';
import {
  AbsentOrJsonSchema,
  DispatchResultSchema,
  JsonObjectSchema,
  JsonValueSchema,
  ToolCallSchema,
} from './tool-shapes';

/** Version written by this release; older records go through `migrateExperience`. */
export const CURRENT_SCHEMA_VERSION = 2;

const Id = z.string().min(1).max(256);
const Timestamp = z.iso.datetime({ offset: true });

/** A content-addressed image in the blob store (see blobs/blob-store.ts). */
export const ImageRefSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (a sha256)'),
  mime: z.enum(['image/jpeg', 'image/png']),
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** What the image shows, e.g. `screenshot` or `first-person`. */
  label: z.string().optional(),
});

/** An observation: the environment's structured state, its compact text, and image references. */
export const StateSchema = z.strictObject({
  data: JsonObjectSchema,
  text: z.string().optional(),
  images: z.array(ImageRefSchema).optional(),
});

/** The action exactly as dispatched: the tool call and the TAL's result (value or structured error). */
export const ActionSchema = z.strictObject({
  call: ToolCallSchema,
  result: DispatchResultSchema,
});

/** What the policy chose among, so that the choice can be learned from later. */
export const DecisionSchema = z
  .strictObject({
    candidates: z
      .array(
        z.strictObject({
          text: z.string(),
          call: z.strictObject({ tool: z.string().min(1), args: AbsentOrJsonSchema }),
        }),
      )
      .optional(),
    chosenIndex: z.number().int().nonnegative().optional(),
    logProb: z.number().optional(),
    value: z.number().optional(),
    policy: z.string().optional(),
  })
  .check((ctx) => {
    const { candidates, chosenIndex } = ctx.value;
    if (candidates && chosenIndex !== undefined && chosenIndex >= candidates.length) {
      ctx.issues.push({
        code: 'custom',
        message: `chosenIndex ${chosenIndex} is out of range for ${candidates.length} candidates`,
        input: chosenIndex,
        path: ['chosenIndex'],
      });
    }
  });

export const ActionGraphEdgeSchema = z.strictObject({
  /** This experience responds to, enables, or blocks the target experience. */
  relation: z.enum(['responds-to', 'enables', 'blocks']),
  /** Id of the other agent's experience. */
  target: Id,
  agentId: z.string().optional(),
});

export const MetadataSchema = z.strictObject({
  /** Source environment, e.g. `web` or `minecraft`. */
  environment: z.string().min(1),
  /** The active self (LoRA adapter) that chose the action. */
  self: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }),
  task: z.strictObject({
    id: z.string().optional(),
    goal: z.string(),
    family: z.string().min(1),
    difficulty: z.number(),
  }),
  /** The model's reasoning text that led to the action. */
  thoughtProcess: z.string().optional(),
  timestamps: z.strictObject({ startedAt: Timestamp, endedAt: Timestamp.optional() }),
  tags: z.array(z.string().min(1)),
  /** Multi-agent sessions: edges to other agents' experiences. */
  actionGraph: z.array(ActionGraphEdgeSchema).optional(),
  /** The Meta-Cognitive Controller's decision and reasons (free-form beyond these keys). */
  mcc: z
    .looseObject({
      chosenSelf: z.string(),
      reason: z.string(),
      scores: z.record(z.string(), z.number()).optional(),
    })
    .check((ctx) => {
      // Loose object: extra keys are kept, so they must be JSON too.
      for (const [key, value] of Object.entries(ctx.value)) {
        if (key === 'chosenSelf' || key === 'reason' || key === 'scores') continue;
        const found = JsonValueSchema.safeParse(value);
        if (!found.success) {
          for (const issue of found.error.issues) {
            ctx.issues.push({
              code: 'custom',
              message: issue.message,
              input: value,
              path: [key, ...issue.path],
            });
          }
        }
      }
    })
    .optional(),
  /** Anything else an environment or runner wants kept with the step. */
  extra: JsonObjectSchema.optional(),
});

export const OutcomeSchema = z.enum(['success', 'failure', 'truncated']);

const ExperienceObjectSchema = z.strictObject({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id: Id,
  episodeId: Id,
  /** 0-based step index within the episode (per agent). */
  step: z.number().int().nonnegative(),
  agentId: Id,
  state: StateSchema,
  action: ActionSchema,
  reward: z.number(),
  nextState: StateSchema,
  /** The episode reached a terminal state. */
  terminal: z.boolean(),
  /** The episode was cut (step budget, crashed environment). */
  truncated: z.boolean(),
  /**
   * On the record that ends an episode (terminal or truncated) and only there: `success` or
   * `failure` when terminal, `truncated` when cut. This is what "episode success" means.
   */
  outcome: OutcomeSchema.optional(),
  /** Episode return on the ending record; when omitted the store sums the episode's rewards. */
  episodeReturn: z.number().optional(),
  decision: DecisionSchema.optional(),
  metadata: MetadataSchema,
});

export const ExperienceSchema = ExperienceObjectSchema.check((ctx) => {
  const { terminal, truncated, outcome, episodeReturn } = ctx.value;
  const push = (path: string, message: string) =>
    ctx.issues.push({ code: 'custom', message, input: ctx.value, path: [path] });
  if (terminal) {
    if (outcome !== 'success' && outcome !== 'failure') {
      push(
        'outcome',
        `a terminal record needs outcome 'success' or 'failure' (got ${describeValue(outcome)})`,
      );
    }
  } else if (truncated) {
    if (outcome !== 'truncated')
      push('outcome', `a truncated record needs outcome 'truncated' (got ${describeValue(outcome)})`);
  } else {
    if (outcome !== undefined)
      push('outcome', 'only the record that ends an episode (terminal or truncated) has an outcome');
    if (episodeReturn !== undefined)
      push('episodeReturn', 'only the record that ends an episode has an episodeReturn');
  }
});

/** A stored experience, as read back. */
export type Experience = z.output<typeof ExperienceSchema>;
export type ExperienceState = z.output<typeof StateSchema>;
export type ExperienceMetadata = z.output<typeof MetadataSchema>;
export type ImageRef = z.output<typeof ImageRefSchema>;
export type Decision = z.output<typeof DecisionSchema>;
export type ActionGraphEdge = z.output<typeof ActionGraphEdgeSchema>;
export type Outcome = z.output<typeof OutcomeSchema>;

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/**
 * What callers pass to `append`: an experience whose id (a time-ordered UUIDv7), agentId (`agent-0`),
 * schemaVersion, terminal/truncated (false), tags ([]) and timestamps (now) may be left out.
 */
export type ExperienceInput = Optional<
  Omit<Experience, 'metadata'>,
  'id' | 'schemaVersion' | 'agentId' | 'terminal' | 'truncated'
> & {
  metadata: Optional<ExperienceMetadata, 'tags' | 'timestamps'>;
};
