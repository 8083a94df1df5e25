import type { ExperienceInput } from '@chimera/ues';
import { describe, expect, it } from 'vitest';
import { defaultActionKey, EpisodicMemory, quotedGoalTemplate, templateAction } from './episodic-memory';

/** One recorded step: the situation seen, the candidates offered, the one chosen, the reward. */
function step(
  episodeId: string,
  index: number,
  situation: string | undefined,
  chosen: string,
  reward: number,
  family = 'checkout',
  situationClass?: string,
): ExperienceInput {
  const data: Record<string, string> = {};
  if (situation !== undefined) data.situation = situation;
  if (situationClass !== undefined) data.situationClass = situationClass;
  return {
    episodeId,
    agentId: 'agent-0',
    step: index,
    state: { data, text: '' },
    action: { call: { tool: 'click', args: {} } },
    reward,
    decision: { candidates: [{ text: chosen, call: { tool: 'click', args: {} } }], chosenIndex: 0 },
    metadata: { task: { family, goal: `goal of ${family}` } },
  } as unknown as ExperienceInput;
}

const page = (text: string) => ({ text });
/** The task of the records above: every family has one goal sentence here. */
const T = (family: string) => ({ family, goal: `goal of ${family}` });

describe('EpisodicMemory', () => {
  it('remembers the discounted return-to-go of each action, keyed without entity ids', () => {
    const memory = new EpisodicMemory({ discount: 0.5 });
    memory.addEpisode([
      step('a', 0, 'shop:/checkout#1', 'check e14 checkbox "Terms"', 0),
      step('a', 1, 'shop:/checkout#2', 'click e17 button "Proceed"', 1),
    ]);
    const first = memory.recall(T('checkout'), { situation: 'shop:/checkout#1' }, [
      page('check e20 checkbox "Terms"'),
      page('click e21 button "Proceed"'),
    ]);
    expect(first).toEqual([{ tries: 1, best: 0.5, deadEnds: 0 }, undefined]);
    const second = memory.recall(T('checkout'), { situation: 'shop:/checkout#2' }, [
      page('click e9 button "Proceed"'),
    ]);
    expect(second).toEqual([{ tries: 1, best: 1, deadEnds: 0 }]);
    expect(defaultActionKey('click e17 button "Proceed"')).toBe('click button "Proceed"');
  });

  it('keeps the best return over episodes and counts every try', () => {
    const memory = new EpisodicMemory();
    memory.addEpisode([step('a', 0, 's', 'click "Submit"', 0)]);
    memory.addEpisode([step('b', 0, 's', 'click "Submit"', 1)]);
    memory.addEpisode([step('c', 0, 's', 'click "Submit"', 0)]);
    expect(memory.recall(T('checkout'), { situation: 's' }, [page('click "Submit"')])).toEqual([
      { tries: 3, best: 1, deadEnds: 0 },
    ]);
  });

  it('groups records by episode and agent before computing returns', () => {
    const memory = new EpisodicMemory({ discount: 1 });
    const other = { ...step('a', 0, 's', 'wait', 0), agentId: 'agent-1' } as ExperienceInput;
    // agent-1 got nothing; agent-0's step 1 reward must not flow into agent-1's return.
    memory.addEpisode([step('a', 1, 't', 'go', 1), other, step('a', 0, 's', 'look', 0)]);
    expect(memory.recall(T('checkout'), { situation: 's' }, [page('look'), page('wait')])).toEqual([
      { tries: 1, best: 1, deadEnds: 0 },
      { tries: 1, best: 0, deadEnds: 0 },
    ]);
  });

  it('raises remembered successes, and untried actions only while exploring', () => {
    const memory = new EpisodicMemory({ exploitWeight: 8, noveltyBonus: 2 });
    memory.addEpisode([step('a', 0, 's', 'click "Submit"', 1)]);
    memory.addEpisode([step('b', 0, 's', 'click "Home"', 0)]);
    const candidates = [page('click "Submit"'), page('click "Home"'), page('click "Save"')];

    const exploit = [0, 0, 0];
    expect(memory.adjust(exploit, T('checkout'), { situation: 's' }, candidates, false)).toBe(true);
    expect(exploit).toEqual([8, 0, 0]);

    const explore = [0, 0, 0];
    memory.adjust(explore, T('checkout'), { situation: 's' }, candidates, true);
    // Novelty: c/2 * (1/sqrt(1 + tries) + 1/sqrt(1 + tries of the class `click`, here 2)), minus
    // log(3): the three candidates are one class, which gets the share of one.
    const ofClass = 1 / Math.sqrt(3) - Math.log(3);
    expect(explore[0]).toBeCloseTo(8 + 1 / Math.SQRT2 + ofClass, 12);
    expect(explore[1]).toBeCloseTo(1 / Math.SQRT2 + ofClass, 12);
    expect(explore[2]).toBeCloseTo(1 + ofClass, 12);
  });

  it('explores kinds of action evenly: many links do not drown one button', () => {
    const memory = new EpisodicMemory({ noveltyBonus: 2 });
    memory.addEpisode([step('a', 0, 's', 'click e1 link "Home"', 0, 'checkout', '/checkout')]);
    const candidates = ['Home', 'Deals', 'About', 'Help'].map((l) => page(`click link "${l}"`));
    candidates.push(page('click button "Submit"'));
    const logits = [0, 0, 0, 0, 0];
    memory.adjust(logits, T('checkout'), { situation: 's', situationClass: '/checkout' }, candidates, true);
    const weight = logits.map(Math.exp);
    const links = weight.slice(0, 4).reduce((a, b) => a + b, 0);
    // The button class was never tried on a checkout page, links once: the button gets more mass
    // than all four links together.
    expect(weight[4]!).toBeGreaterThan(links);
  });

  it('carries what worked on one site to the same page kind of another, by action class', () => {
    const memory = new EpisodicMemory({ classWeight: 3, noveltyBonus: 0 });
    // Brand A: a link led nowhere, then a button placed the order.
    memory.addEpisode([step('a', 0, 'A:/checkout', 'click e3 link "Home"', 0, 'f', '/checkout')]);
    memory.addEpisode([step('b', 0, 'A:/checkout', 'click e9 button "Submit"', 1, 'f', '/checkout')]);
    memory.addEpisode([step('c', 0, 'A:/checkout', 'click e8 button "Save"', 0, 'f', '/checkout')]);
    // Brand B, never visited: buttons get the class prior (mean return 1/2, the best class: +3).
    const logits = [0, 0, 0];
    const candidates = [
      page('click e4 link "Deals"'),
      page('click e7 button "Continue"'),
      page('answer "x"'),
    ];
    expect(
      memory.adjust(
        logits,
        T('f'),
        { situation: 'B:/checkout', situationClass: '/checkout' },
        candidates,
        false,
      ),
    ).toBe(true);
    expect(logits).toEqual([0, 3, 0]);
    // Where the exact situation has a remembered success, that memory rules alone.
    const known = [0, 0];
    memory.adjust(
      known,
      T('f'),
      { situation: 'A:/checkout', situationClass: '/checkout' },
      [page('click e9 button "Submit"'), page('click e8 button "Save"')],
      false,
    );
    expect(known).toEqual([8, 0]);
  });

  it('stays silent without a situation, and keeps exact memories per goal', () => {
    const memory = new EpisodicMemory();
    memory.addEpisode([step('a', 0, undefined, 'click "Submit"', 1)]);
    expect(memory.size).toBe(0);
    memory.addEpisode([step('b', 0, 's', 'click "Submit"', 1, 'site-conventions')]);
    const logits = [1, 2];
    expect(memory.adjust(logits, T('checkout'), {}, [page('a'), page('b')], true)).toBe(false);
    expect(logits).toEqual([1, 2]);
    // The same page under another goal is a new situation: nothing remembered.
    expect(memory.recall(T('checkout'), { situation: 's' }, [page('click "Submit"')])).toEqual([undefined]);
    expect(memory.recall(T('site-conventions'), { situation: 's' }, [page('click "Submit"')])).toEqual([
      { tries: 1, best: 1, deadEnds: 0 },
    ]);
  });

  it('saves and loads its table, evicts the least recently updated situations, rejects corrupt state', () => {
    const memory = new EpisodicMemory({ maxSituations: 2 });
    memory.addEpisode([step('a', 0, 's1', 'x', 1)]);
    memory.addEpisode([step('b', 0, 's2', 'y', 0)]);
    memory.addEpisode([step('c', 0, 's1', 'x', 0)]);
    memory.addEpisode([step('d', 0, 's3', 'z', 1)]);
    // s2 was the least recently updated: dropped.
    expect(memory.size).toBe(2);
    expect(memory.recall(T('checkout'), { situation: 's2' }, [page('y')])).toEqual([undefined]);

    const copy = new EpisodicMemory();
    copy.load(JSON.parse(JSON.stringify(memory.toJSON())));
    expect(copy.toJSON()).toEqual(memory.toJSON());
    expect(copy.recall(T('checkout'), { situation: 's1' }, [page('x')])).toEqual([
      { tries: 2, best: 1, deadEnds: 0 },
    ]);
    copy.load(undefined);
    expect(copy.size).toBe(0);
    expect(() => copy.load({ version: 2 } as never)).toThrow(/corrupt or from another version/);
    expect(() => new EpisodicMemory({ discount: 0 })).toThrow(/discount/);
  });

  it('sends exploration to kinds of action evenly, and inside a kind to what was never tried here', () => {
    const memory = new EpisodicMemory();
    memory.addEpisode([step('a', 0, 's', 'craft crafting_table x1', 0)]);
    const candidates = [
      'craft crafting_table x1',
      'craft oak_planks x1',
      'click link "A"',
      'click link "B"',
    ].map(page);
    const w = memory.explorationWeights(T('checkout'), { situation: 's' }, candidates)!;
    // Classes: the two crafts (one each), links (one class of two): an untried class gets the
    // share of one action, split among its members.
    expect([...w].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[2]).toBeCloseTo(w[3]!, 12);
    expect(w[2]! + w[3]!).toBeCloseTo(w[1]!, 12);
    // The tried craft keeps a tenth of what an untried one gets.
    expect(w[0]).toBeCloseTo(w[1]! / 10, 12);
    expect(memory.explorationWeights(T('checkout'), {}, candidates)).toBeUndefined();
  });

  it('gives no credit to an action that changed nothing', () => {
    const memory = new EpisodicMemory({ discount: 1 });
    const stay = {
      ...step('a', 0, 'inv:log=1', 'craft table x1', 0),
      nextState: { data: { situation: 'inv:log=1' } },
    };
    const craft = {
      ...step('a', 1, 'inv:log=1', 'craft planks x1', 0),
      nextState: { data: { situation: 'inv:planks=4' } },
    };
    memory.addEpisode([stay, craft, step('a', 2, 'inv:planks=4', 'craft table x1', 1)] as ExperienceInput[]);
    expect(
      memory.recall(T('checkout'), { situation: 'inv:log=1' }, [
        page('craft table x1'),
        page('craft planks x1'),
      ]),
    ).toEqual([
      { tries: 1, best: 0, deadEnds: 0 },
      { tries: 1, best: 1, deadEnds: 0 },
    ]);
  });

  it('steers a decision with one lookup: the same as adjust plus explorationWeights', () => {
    const memory = new EpisodicMemory();
    memory.addEpisode([step('a', 0, 's', 'click "Submit"', 1, 'checkout', '/checkout')]);
    memory.addEpisode([step('b', 0, 's', 'click "Home"', 0, 'checkout', '/checkout')]);
    const candidates = ['click "Submit"', 'click "Home"', 'check "Terms"'].map(page);
    const data = { situation: 's', situationClass: '/checkout' };
    const apart = [1, 2, 3];
    memory.adjust(apart, T('checkout'), data, candidates, true);
    const together = [1, 2, 3];
    const steer = memory.steer(together, T('checkout'), data, candidates, true);
    expect(together).toEqual(apart);
    expect(steer).toEqual({
      known: true,
      explorationWeights: memory.explorationWeights(T('checkout'), data, candidates),
    });
    expect(memory.steer([0], T('checkout'), {}, [page('x')], true)).toEqual({ known: false });
  });

  it('falls back on coarser levels for actions never tried in the exact situation', () => {
    // A brand's checkout: "done" has every step done; "fresh" has none; "fresh!" is "fresh" after a
    // rejection (its alert is the only difference, so it shares fresh's first coarser level).
    const at = (state: string) => ({
      situation: `cedar:/checkout#${state}`,
      situationBackoff: [`cedar:/checkout#${state.replace('!', '')}`, 'cedar:/checkout'],
    });
    const rec = (episodeId: string, index: number, state: string, chosen: string, reward: number) => {
      const r = step(episodeId, index, undefined, chosen, reward) as unknown as {
        state: { data: Record<string, unknown> };
      };
      r.state.data = at(state);
      return r as unknown as ExperienceInput;
    };
    const memory = new EpisodicMemory({ exploitWeight: 1, noveltyBonus: 0, classWeight: 0 });
    const candidates = [
      page('click button "Done"'),
      page('check checkbox "Terms"'),
      page('click link "Home"'),
    ];
    const boost = (state: string) => {
      const logits = [0, 0, 0];
      memory.adjust(logits, T('checkout'), at(state), candidates, false);
      return logits.map((v) => Math.round(v * 1000) / 1000);
    };
    // Learned where every step was done: "Done" places the order.
    memory.addEpisode([rec('a', 0, 'done', 'click button "Done"', 1)]);
    expect(boost('done')).toEqual([1, 0, 0]);
    // On the fresh page it was never tried: two levels up it is known, at 0.8^2.
    expect(boost('fresh')).toEqual([0.64, 0, 0]);
    // Tried there, rejected; the terms box fixed it and the order went through for half the score.
    memory.addEpisode([
      rec('b', 0, 'fresh', 'click button "Done"', 0),
      rec('b', 1, 'fresh!', 'check checkbox "Terms"', 0),
      rec('b', 2, 'terms!', 'click button "Done"', 0.5),
    ]);
    // "Done" was tried on the fresh page and led to 0.5 only after a detour (0.9^2 * 0.5); the terms
    // box, never tried there, is known one level up from the rejected page (0.8 * 0.9 * 0.5).
    expect(boost('fresh')).toEqual([0.405, 0.36, 0]);
    // The page with the box ticked and no alert: "Done" comes from the rejected page's level 1 (and
    // the box from level 2, 0.8^2 * 0.45; on a real page a ticked box offers "uncheck" instead).
    expect(boost('terms')).toEqual([0.4, 0.288, 0]);
    // An action tried in the exact situation is judged there alone: on the rejected page "Done" is
    // known one level up (0.8 * 0.405) until it is tried there and fails.
    expect(boost('fresh!')).toEqual([0.324, 0.45, 0]);
    memory.addEpisode([rec('c', 0, 'fresh!', 'click button "Done"', 0)]);
    expect(boost('fresh!')).toEqual([0, 0.45, 0]);
    // Saved and loaded, the levels come back; backoffWeight 0 turns them off.
    const copy = new EpisodicMemory({ exploitWeight: 1, noveltyBonus: 0, classWeight: 0 });
    copy.load(JSON.parse(JSON.stringify(memory.toJSON())));
    const logits = [0, 0, 0];
    copy.adjust(logits, T('checkout'), at('terms'), candidates, false);
    expect(logits[0]).toBeCloseTo(0.4, 9);
    const off = new EpisodicMemory({ exploitWeight: 1, noveltyBonus: 0, classWeight: 0, backoffWeight: 0 });
    off.load(memory.toJSON());
    const none = [0, 0, 0];
    off.adjust(none, T('checkout'), at('terms'), candidates, false);
    expect(none).toEqual([0, 0, 0]);
    expect(memory.size).toBe(4);
  });

  it('turns quoted names into slots, and actions that name them into template actions', () => {
    const goal = 'Add the standard "Willow Lamp" to your cart, not the "Willow Lamp Mini".';
    const t = quotedGoalTemplate(goal);
    expect(t).toEqual({
      template: 'Add the standard "{1}" to your cart, not the "{2}".',
      slots: ['Willow Lamp', 'Willow Lamp Mini'],
    });
    // Longest slot first: the look-alike is {2}, not "{1} Mini".
    expect(templateAction('click button "Add Willow Lamp Mini to cart"', t!.slots)).toBe(
      'click button "Add {2} to cart"',
    );
    expect(templateAction('click button "Add Willow Lamp to cart"', t!.slots)).toBe(
      'click button "Add {1} to cart"',
    );
    expect(templateAction('click button "Add Willow Lamp XL to cart"', t!.slots)).toBe(
      'click button "Add {1} XL to cart"',
    );
    expect(templateAction('click button "Search"', t!.slots)).toBeUndefined();
    // A repeated name is one slot; a goal without quotes has no template.
    expect(quotedGoalTemplate('Email "a@b.c" and cc "a@b.c"')?.slots).toEqual(['a@b.c']);
    expect(quotedGoalTemplate('Complete the purchase.')).toBeUndefined();
  });

  it("carries what named the goal's thing to another instance of the goal template on a new site", () => {
    const goalOf = (base: string, named: string) =>
      `Add the standard "${base}" to your cart, not the "${named}".`;
    const rec = (episodeId: string, site: string, goal: string, chosen: string, reward: number) =>
      ({
        episodeId,
        agentId: 'agent-0',
        step: 0,
        state: { data: { situation: `${site}:/search#x`, situationClass: '/search' }, text: '' },
        action: { call: { tool: 'click', args: {} } },
        reward,
        terminal: true,
        decision: { candidates: [{ text: chosen, call: { tool: 'click', args: {} } }], chosenIndex: 0 },
        metadata: { task: { family: 'distractors', goal } },
      }) as unknown as ExperienceInput;
    const memory = new EpisodicMemory({ exploitWeight: 1, noveltyBonus: 0, classWeight: 0 });
    const lamp = goalOf('Willow Lamp', 'Willow Lamp Pro');
    // Training on one site: the look-alike failed, the standard item succeeded.
    memory.addEpisode([rec('a', 'shop-1', lamp, 'click e3 button "Add Willow Lamp Pro to cart"', 0)]);
    memory.addEpisode([rec('b', 'shop-1', lamp, 'click e2 button "Add Willow Lamp to cart"', 1)]);
    memory.addEpisode([rec('c', 'shop-1', lamp, 'click e9 link "Willow Lamp Pro"', 0)]);
    // A held-out instance: another product, another site, the look-alike is a "Mini" this time.
    const grinder = { goal: goalOf('Comet Grinder', 'Comet Grinder Mini') };
    const candidates = [
      page('click e5 button "Add Comet Grinder Mini to cart"'),
      page('click e4 button "Add Comet Grinder to cart"'),
      page('click e7 button "Search"'),
      page('click e8 link "Comet Grinder Mini"'),
    ];
    const data = { situation: 'shop-2:/search#y', situationClass: '/search' };
    const logits = [0, 0, 0, 0];
    expect(memory.adjust(logits, grinder, data, candidates, false)).toBe(true);
    // The standard item's button at templateWeight 0.5; the look-alike and its link ended their
    // episodes in failure: dead ends, -deadEndPenalty (0.5) at templateWeight; no slot, no memory.
    expect(logits).toEqual([-0.25, 0.5, 0, -0.25]);
    // Exploring, the look-alike and its link count as tried (they never led anywhere at the template
    // level): a tenth of the weight of an untried action of their class.
    const weights = memory.explorationWeights(grinder, data, candidates)!;
    expect(weights[0]! / weights[1]!).toBeCloseTo(0.1, 9);
    // The link is alone in its class (the buttons are three): a tenth of a whole class's share.
    expect(weights[3]! / (3 * weights[2]!)).toBeCloseTo(0.1, 9);
    // Another page kind, another goal template, or templateWeight 0: nothing carries over.
    const elsewhere = [0, 0, 0, 0];
    memory.adjust(
      elsewhere,
      grinder,
      { situation: 'shop-2:/p#z', situationClass: '/product' },
      candidates,
      false,
    );
    expect(elsewhere).toEqual([0, 0, 0, 0]);
    const other = [0, 0, 0, 0];
    memory.adjust(other, { goal: 'Buy "Comet Grinder".' }, data, candidates, false);
    expect(other).toEqual([0, 0, 0, 0]);
    const off = new EpisodicMemory({ exploitWeight: 1, noveltyBonus: 0, classWeight: 0, templateWeight: 0 });
    off.load(memory.toJSON());
    const none = [0, 0, 0, 0];
    off.adjust(none, grinder, data, candidates, false);
    expect(none).toEqual([0, 0, 0, 0]);
    // Exact memory wins: on the training site the same instance is judged by what it did there.
    const exact = [0, 0, 0, 0];
    memory.adjust(
      exact,
      { goal: lamp },
      { situation: 'shop-1:/search#x', situationClass: '/search' },
      [page('click button "Add Willow Lamp to cart"'), page('click button "Add Willow Lamp Pro to cart"')],
      false,
    );
    expect(exact.slice(0, 2)).toEqual([1, -0.5]);
    // Template keys are a level, not situations.
    expect(memory.size).toBe(1);
  });

  it('remembers dead ends: an action that ended episodes in failure or led nowhere twice is lowered, a success outweighs them', () => {
    const rec = (episodeId: string, chosen: string, reward: number, terminal: boolean) =>
      ({
        episodeId,
        agentId: 'agent-0',
        step: 0,
        state: { data: { situation: 's' }, text: '' },
        nextState: { data: { situation: 't' }, text: '' },
        action: { call: { tool: 'answer', args: {} } },
        reward,
        terminal,
        decision: { candidates: [{ text: chosen, call: { tool: 'answer', args: {} } }], chosenIndex: 0 },
        metadata: { task: { family: 'f', goal: 'g' } },
      }) as unknown as ExperienceInput;
    const memory = new EpisodicMemory({ exploitWeight: 2, noveltyBonus: 0, classWeight: 0 });
    memory.addEpisode([rec('a', 'answer "1"', 0, true)]);
    memory.addEpisode([rec('b', 'answer "1"', 0, false)]);
    memory.addEpisode([rec('c', 'answer "2"', 0, true)]);
    memory.addEpisode([rec('d', 'answer "2"', 1, true)]);
    memory.addEpisode([rec('e', 'click e1 link "Home"', 0, false)]);
    const candidates = [page('answer "1"'), page('answer "2"'), page('click e9 link "Home"')];
    expect(memory.recall({ goal: 'g' }, { situation: 's' }, candidates)).toEqual([
      { tries: 2, best: 0, deadEnds: 1 },
      { tries: 2, best: 1, deadEnds: 1 },
      { tries: 1, best: 0, deadEnds: 0 },
    ]);
    const logits = [0, 0, 0];
    memory.adjust(logits, { goal: 'g' }, { situation: 's' }, candidates, false);
    // "1": one dead end in two tries, -0.5 * 1/2 return, times exploitWeight 2; "2" succeeded once;
    // "Home" was tried once and the episode went on: not judged yet.
    expect(logits).toEqual([-0.5, 2, 0]);
    // Tried twice for nothing: half the penalty, -0.25 return.
    memory.addEpisode([rec('f', 'click e4 link "Home"', 0, false)]);
    const twice = [0, 0, 0];
    memory.adjust(twice, { goal: 'g' }, { situation: 's' }, candidates, false);
    expect(twice).toEqual([-0.5, 2, -0.5]);
    // Saved and loaded (a state saved before dead ends existed has three fields: none).
    const copy = new EpisodicMemory({ exploitWeight: 2, noveltyBonus: 0, classWeight: 0 });
    copy.load(memory.toJSON());
    expect(copy.recall({ goal: 'g' }, { situation: 's' }, candidates)).toEqual(
      memory.recall({ goal: 'g' }, { situation: 's' }, candidates),
    );
    copy.load({ version: 1, entries: [['g\u0000s', [['answer "1"', 2, 0]]]] });
    expect(copy.recall({ goal: 'g' }, { situation: 's' }, candidates)?.[0]).toEqual({
      tries: 2,
      best: 0,
      deadEnds: 0,
    });
    // deadEndPenalty 0 turns it off.
    const off = new EpisodicMemory({ exploitWeight: 2, noveltyBonus: 0, classWeight: 0, deadEndPenalty: 0 });
    off.load(memory.toJSON());
    const plain = [0, 0, 0];
    off.adjust(plain, { goal: 'g' }, { situation: 's' }, candidates, false);
    expect(plain).toEqual([0, 2, 0]);
    expect(() => new EpisodicMemory({ deadEndPenalty: -1 })).toThrow(/deadEndPenalty must be >= 0/);
  });
});
