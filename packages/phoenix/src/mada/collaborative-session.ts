/**
 * Collaborative multi-agent sessions: several agents share one task instance that none can
 * finish alone (e.g. split inventories in Minecraft). They take turns; every step is recorded
 * per agent, and the action graph links them: a step responds to the partner's message or hand-over
 * just before it, and a hand-over enables the partner's next successful step.
 */
import type { Environment, EnvironmentSession, Observation, TaskSpec } from '@chimera/toolbelt';
import type { ExperienceInput } from '@chimera/ues';
import type { SeededRandomLike } from '../curriculum/random';
import type { SelfSelector } from '../episode-runner';
import type { Policy } from '../policy';

export interface CollaborativeAgent {
  agentId: string;
  policy: Policy;
  selector: SelfSelector;
}

export interface CollaborativeResult {
  task: TaskSpec;
  success: boolean;
  score: number;
  turns: number;
  records: ExperienceInput[];
  messages: number;
  handovers: number;
  edges: number;
  error?: string;
}

const isMessage = (tool: string) => /chat|say|message/i.test(tool);
const isHandover = (tool: string) => /give|drop|toss|hand/i.test(tool);

export async function runCollaborativeSession(options: {
  environment: Environment;
  task: TaskSpec;
  agents: CollaborativeAgent[];
  random: SeededRandomLike;
  sessionId: string;
  explore: boolean;
}): Promise<CollaborativeResult> {
  const { environment, task, agents, random } = options;
  const sessions: EnvironmentSession[] = [];
  const records: ExperienceInput[] = [];
  const histories = agents.map(() => [] as string[]);
  const observations: Observation[] = [];
  let messages = 0;
  let handovers = 0;
  let done = false;
  let error: string | undefined;
  try {
    for (const agent of agents) sessions.push(await environment.start(task, { agentId: agent.agentId }));
    for (const s of sessions) observations.push(await s.observe());
  } catch (e) {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    return {
      task,
      success: false,
      score: 0,
      turns: 0,
      records,
      messages,
      handovers,
      edges: 0,
      error: `could not start the session: ${(e as Error).message}`,
    };
  }
  let turn = 0;
  const lastRecordOf: (ExperienceInput | undefined)[] = agents.map(() => undefined);
  for (; turn < task.maxSteps * agents.length && !done; turn++) {
    const a = turn % agents.length;
    const agent = agents[a]!;
    const session = sessions[a]!;
    const observation = observations[a]!;
    const step = Math.floor(turn / agents.length);
    const choice = await agent.selector.select({ task, step, observation, history: histories[a]! });
    const candidates = session.candidates(observation);
    if (candidates.length === 0) continue;
    const decision = await agent.policy.decide({
      task,
      self: choice.self,
      observation,
      history: histories[a]!,
      candidates,
      explore: options.explore,
      uniform: random.next(),
    });
    const candidate = candidates[decision.index]!;
    let outcome: Awaited<ReturnType<EnvironmentSession['step']>>;
    try {
      outcome = await session.step(candidate.call);
    } catch (e) {
      error = `environment crashed during agent ${agent.agentId}'s turn: ${(e as Error).message}`;
      break;
    }
    done = outcome.done;
    if (isMessage(candidate.call.tool)) messages++;
    if (isHandover(candidate.call.tool) && outcome.result.ok) handovers++;
    const id = `${options.sessionId}-${agent.agentId}-${step}`;
    const edges: { relation: 'responds-to' | 'enables'; target: string; agentId: string }[] = [];
    // The partner who acted just before: this step responds to its message or hand-over.
    const previous = lastRecordOf[(a + agents.length - 1) % agents.length];
    if (previous && previous.id && isMessage(previous.action.call.tool)) {
      edges.push({ relation: 'responds-to', target: previous.id, agentId: previous.agentId! });
    }
    if (
      previous?.id &&
      isHandover(previous.action.call.tool) &&
      previous.action.result.ok &&
      outcome.result.ok
    ) {
      // The hand-over enabled this step: recorded on the hand-over's own record.
      previous.metadata.actionGraph = [
        ...(previous.metadata.actionGraph ?? []),
        { relation: 'enables', target: id, agentId: agent.agentId },
      ];
    }
    const record: ExperienceInput = {
      id,
      episodeId: `${options.sessionId}-${agent.agentId}`,
      step,
      agentId: agent.agentId,
      state: { data: observation.data as never, text: observation.text },
      action: { call: candidate.call as never, result: outcome.result as never },
      reward: outcome.reward,
      nextState: { data: outcome.observation.data as never, text: outcome.observation.text },
      terminal: false,
      truncated: false,
      decision: {
        candidates: candidates.map((c) => ({ text: c.text, call: c.call as never })),
        chosenIndex: decision.index,
        logProb: decision.logProb,
        value: decision.value,
        policy: agent.policy.name,
      },
      metadata: {
        environment: task.environment,
        self: { name: choice.self, version: choice.version },
        task: { id: task.id, goal: task.goal, family: task.family, difficulty: task.difficulty },
        timestamps: { startedAt: new Date().toISOString() },
        tags: [...task.tags, 'multi-agent', 'collaborative'],
        ...(edges.length > 0 ? { actionGraph: edges } : {}),
        mcc: { chosenSelf: choice.self, reason: choice.reason },
        extra: {
          policyContext: decision.context as never,
          split: task.split,
          needsExperience: task.needsExperience,
          sessionId: options.sessionId,
        },
      },
    };
    records.push(record);
    lastRecordOf[a] = record;
    histories[a]!.push(candidate.text);
    observations[a] = outcome.observation;
  }
  const verdict = await sessions[0]!.verdict().catch(() => ({ success: false, score: 0 }));
  // Each agent's last record ends its part of the shared episode with the joint outcome.
  for (let a = 0; a < agents.length; a++) {
    const last = lastRecordOf[a];
    if (!last) continue;
    const ret = records.filter((r) => r.agentId === agents[a]!.agentId).reduce((s, r) => s + r.reward, 0);
    if (done) {
      last.terminal = true;
      last.outcome = verdict.success ? 'success' : 'failure';
    } else {
      last.truncated = true;
      last.outcome = 'truncated';
    }
    last.episodeReturn = ret;
  }
  await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  return {
    task,
    success: done && verdict.success,
    score: verdict.score,
    turns: turn,
    records,
    messages,
    handovers,
    edges: records.reduce((s, r) => s + (r.metadata.actionGraph?.length ?? 0), 0),
    ...(error ? { error } : {}),
  };
}
