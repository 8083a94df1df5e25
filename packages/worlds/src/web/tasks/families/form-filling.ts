/**
 * Form filling: send the support form with the values the goal names (labels differ per site);
 * the hardest level signs in first. Verified from the ticket the server stored; partial credit is
 * the share of fields that match.
 */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import { SITE_USERS, SUPPORT_TOPICS } from '../../site/support-pages';
import {
  baseTask,
  catalogSeedOf,
  person,
  plainSite,
  rngFor,
  type VerdictInput,
  type WebTaskFamily,
} from '../web-task';

const MESSAGES = [
  'My parcel has not arrived yet',
  'The item arrived with a scratch',
  'Please change my delivery address',
  'I was charged twice for one order',
  'Which charger fits this model',
];
const SUBJECTS = ['Late parcel', 'Damaged item', 'Address change', 'Double charge', 'Compatibility'];

function verdict(input: VerdictInput): EpisodeVerdict {
  const expected = input.task.params.expected as { fields: Record<string, string>; user?: string };
  const ticket = input.state.tickets.find((t) => t.siteKey === input.task.params.site);
  if (!ticket) return { success: false, score: 0, detail: 'no support message was received' };
  const checks = Object.entries(expected.fields).map(
    ([name, value]) => (ticket.fields[name] ?? '').trim().toLowerCase() === value.trim().toLowerCase(),
  );
  if (expected.user !== undefined) checks.push(ticket.user === expected.user);
  const matched = checks.filter(Boolean).length;
  const score = matched / checks.length;
  return {
    success: matched === checks.length,
    score,
    detail: `${matched}/${checks.length} fields right in ticket ${ticket.number}`,
  };
}

export const formFillingFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'form-filling',
    description:
      'Send the support form with given values (labels differ per site); the hardest level signs in first.',
    difficulties: [0, 1, 2],
    needsExperience: false,
    skills: ['forms'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('form-filling', difficulty, seed, split);
    const site = plainSite(seed, split);
    const catalogSeed = catalogSeedOf(seed, split);
    const who = person(rng);
    const topic = rng.pick(SUPPORT_TOPICS);
    const m = rng.int(0, MESSAGES.length - 1);
    const message = `${MESSAGES[m]} (ref ${rng.int(100, 999)}).`;
    if (difficulty === 0) {
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: '/support',
        maxSteps: 7,
        goal: `Send a support message from "${who.email}" with topic ${topic} and the message "${message}"`,
        expected: { fields: { email: who.email, topic, message } },
      });
    }
    if (difficulty === 1) {
      const subject = SUBJECTS[m] as string;
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: '/support',
        maxSteps: 11,
        goal:
          `Send a support message: name "${who.name}", email "${who.email}", topic ${topic}, ` +
          `subject "${subject}", message "${message}" Mark it as urgent.`,
        expected: { fields: { name: who.name, email: who.email, topic, subject, message, urgent: 'yes' } },
      });
    }
    const user = rng.pick(Object.keys(SITE_USERS));
    const orderNumber = String(rng.int(1001, 1999));
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: '/support',
      maxSteps: 13,
      goal:
        `Sign in as "${user}" with password "${SITE_USERS[user]}", then send a support message about order ` +
        `"${orderNumber}" with topic ${topic}, reply-to email "${who.email}" and the message "${message}"`,
      expected: { fields: { email: who.email, topic, orderNumber, message }, user },
      tags: ['login'],
    });
  },
  verdict,
  terminal: (input) => input.state.tickets.some((t) => t.siteKey === input.task.params.site),
};
