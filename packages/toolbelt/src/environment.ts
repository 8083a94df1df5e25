/**
 * The contract between environments (web, Minecraft, or a user's own) and the agent loop.
 *
 * An environment turns a seeded task into observations, enumerates the candidate tool calls a
 * scoring policy may choose from, executes a chosen call through the TAL, and verifies rewards
 * from its own state (server-side state, not guesses from what the agent saw).
 * Phoenix's episode runner and the reference agent only ever talk to environments through this.
 */
import type { AnyTool } from './define-tool';
import type { DispatchResult, ToolCall } from './types';

/** A seeded, parameterized task produced by a task generator. Plain JSON: it is stored in the UES. */
export interface TaskSpec {
  /** Stable id, unique per (generator, family, difficulty, seed, split). */
  id: string;
  /** Environment name, e.g. `web` or `minecraft`. */
  environment: string;
  /** Task family, e.g. `form-filling`, `site-conventions`, `craft-pickaxe`. */
  family: string;
  /** Difficulty level, 0 = easiest. */
  difficulty: number;
  /** The goal sentence the agent reads. */
  goal: string;
  /** Seed the task was generated from. */
  seed: number;
  /** `train` tasks feed learning; `heldout` tasks are only evaluated. */
  split: 'train' | 'heldout';
  /** True when solving it needs knowledge that is not in the goal text (experience must help). */
  needsExperience: boolean;
  /** Step budget for an episode on this task. */
  maxSteps: number;
  /** Tags recorded with every experience (skills the task exercises). */
  tags: string[];
  /** Generator-specific parameters (site variant, expected values, target item...). */
  params: Record<string, unknown>;
}

export interface TaskFamilyInfo {
  environment: string;
  family: string;
  description: string;
  difficulties: number[];
  needsExperience: boolean;
  /** Skill tags; the Meta-Cognitive Controller maps them to Selves. */
  skills: string[];
}

export interface TaskGenerator {
  readonly environment: string;
  families(): TaskFamilyInfo[];
  generate(options: {
    family: string;
    difficulty: number;
    seed: number;
    split: 'train' | 'heldout';
  }): TaskSpec;
}

/** What the agent perceives after each step. */
export interface Observation {
  /** Compact text for a model (token-efficient; never raw HTML or raw world data). */
  text: string;
  /**
   * The structured observation, stored as the experience's state. By convention an environment
   * may put `situation` here (a string naming this kind of state across task instances, e.g. a
   * site's page with its controls' states) and `situationClass` (a coarser kind, e.g. the page
   * without the site): episodic memory (`@chimera/phoenix`'s EpisodicMemory) indexes by them.
   */
  data: Record<string, unknown>;
  /** Optional images (JPEG screenshot, PNG frame), stored in the UES blob store. */
  images?: { mime: 'image/jpeg' | 'image/png'; bytes: Uint8Array }[];
}

/** One action a candidate-scoring policy may pick: a concrete tool call plus its rendering. */
export interface CandidateAction {
  call: ToolCall;
  /** Short text the policy model reads, e.g. `click e12 button "Place order"`. */
  text: string;
}

export interface StepOutcome {
  observation: Observation;
  /** Reward for this step (shaped partial credit where natural; final success reward at the end). */
  reward: number;
  /** The episode reached a terminal state (success, failure or an answer given). */
  done: boolean;
  /** The episode was cut (step budget, crashed environment). */
  truncated: boolean;
  /** The TAL's result for the dispatched call (success or structured error). */
  result: DispatchResult;
  info?: Record<string, unknown>;
}

export interface EpisodeVerdict {
  success: boolean;
  /** 0..1, with partial credit where natural. */
  score: number;
  detail?: string;
}

/** One live episode of one agent in an environment. */
export interface EnvironmentSession {
  readonly task: TaskSpec;
  /**
   * The tools this session's TAL dispatches (optional): a language-model policy shows the model
   * their schemas and validates its calls against them.
   */
  readonly tools?: readonly AnyTool[];
  /** Current observation. */
  observe(): Promise<Observation>;
  /** Candidate tool calls for a scoring policy, derived from the current observation and goal. */
  candidates(observation: Observation): CandidateAction[];
  /** Execute one call through the TAL; never throws for a bad call (it becomes a structured error). */
  step(call: ToolCall): Promise<StepOutcome>;
  /** Verdict computed from the environment's own state. */
  verdict(): Promise<EpisodeVerdict>;
  close(): Promise<void>;
}

/** A running environment (a browser plus a site, a server plus bots) that hosts episodes. */
export interface Environment {
  readonly name: string;
  readonly generator: TaskGenerator;
  /**
   * How many episodes may run at once, each under its own agent id (default: no limit). An agent
   * id has one episode at a time: a world of embodied players (Minecraft bots, one per agent)
   * starting a second episode for the same id ends the first. Evaluations respect both.
   */
  readonly maxConcurrentSessions?: number;
  /** Start an episode for a task. `agentId` distinguishes agents in multi-agent sessions. */
  start(task: TaskSpec, options?: { agentId?: string }): Promise<EnvironmentSession>;
  /** Stop everything the environment started (browser, servers, bots); leaves no handles open. */
  close(): Promise<void>;
}
