import { describe, expect, it } from 'vitest';
import { LearningProgressTeacher } from './learning-progress-teacher';
import { Mulberry32 } from './random';

/**
 * Synthetic curriculum with known difficulty: a simulated learner whose competence on level d
 * rises only once it has practised level d-1. Easy levels are mastered fast (no progress left),
 * hard ones are out of reach at first: the frontier moves up as the learner improves.
 */
function simulate(episodes: number, seed: number) {
  const levels = [0, 1, 2, 3, 4];
  const teacher = new LearningProgressTeacher({
    arms: levels.map((d) => ({ environment: 'sim', family: 'climb', difficulty: d })),
  });
  const skill = levels.map(() => 0);
  const random = new Mulberry32(seed);
  const counts: number[][] = [];
  for (let e = 0; e < episodes; e++) {
    const arm = teacher.sample(random);
    const d = arm.difficulty;
    const p = Math.min(0.98, skill[d]!);
    const success = random.next() < p ? 1 : 0;
    // Practising a level raises its skill, if the level below is mastered enough.
    const prerequisite = d === 0 ? 1 : skill[d - 1]!;
    skill[d] = Math.min(1, skill[d]! + 0.04 * prerequisite + (d === 0 ? 0.02 : 0));
    teacher.update(arm, success);
    if (e % 100 === 99) {
      counts.push(levels.map(() => 0));
    }
    if (counts.length > 0) counts[counts.length - 1]![d]!++;
  }
  return { teacher, counts };
}

describe('LearningProgressTeacher', () => {
  it('shifts its task distribution toward the frontier as competence grows', () => {
    const { counts } = simulate(1500, 7);
    const meanLevel = (c: number[]) => c.reduce((s, n, d) => s + n * d, 0) / c.reduce((s, n) => s + n, 0);
    const early = meanLevel(counts[1]!);
    const late = meanLevel(counts[counts.length - 1]!);
    expect(late).toBeGreaterThan(early + 0.5);
  });

  it('prefers an arm whose success rate is changing over mastered and impossible arms', () => {
    const arms = ['mastered', 'learning', 'impossible'].map((family) => ({
      environment: 't',
      family,
      difficulty: 0,
    }));
    const teacher = new LearningProgressTeacher({ arms, uniformMix: 0.1 });
    for (let i = 0; i < 30; i++) {
      teacher.update(arms[0]!, 1);
      teacher.update(arms[1]!, i < 15 ? 0 : 1);
      teacher.update(arms[2]!, 0);
    }
    const dist = teacher.distribution();
    const p = (family: string) => dist.find((d) => d.arm.family === family)!.probability;
    expect(p('learning')).toBeGreaterThan(p('mastered'));
    expect(p('learning')).toBeGreaterThan(p('impossible'));
    expect(dist.reduce((s, d) => s + d.probability, 0)).toBeCloseTo(1, 10);
  });

  it('round-trips its state and rejects unknown arms', () => {
    const arms = [{ environment: 'w', family: 'f', difficulty: 1 }];
    const teacher = new LearningProgressTeacher({ arms });
    teacher.update(arms[0]!, 1);
    teacher.update(arms[0]!, 0);
    const copy = LearningProgressTeacher.fromJSON(JSON.parse(JSON.stringify(teacher.toJSON())));
    expect(copy.statistics()).toEqual(teacher.statistics());
    expect(() => teacher.update({ environment: 'w', family: 'g', difficulty: 1 }, 1)).toThrow(
      /unknown curriculum arm/,
    );
  });

  it('weighs arms by a prior and discounts mastered arms', () => {
    const arms = ['practice', 'plain', 'mastered'].map((family) => ({
      environment: 't',
      family,
      difficulty: 0,
    }));
    const plain = new LearningProgressTeacher({ arms, uniformMix: 0 });
    const leaning = new LearningProgressTeacher({
      arms,
      uniformMix: 0,
      prior: (arm) => (arm.family === 'practice' ? 3 : 1),
      masteredWeight: 0.25,
    });
    for (const teacher of [plain, leaning]) {
      for (let i = 0; i < 5; i++) {
        teacher.update(arms[0]!, 0);
        teacher.update(arms[1]!, 0);
        teacher.update(arms[2]!, 1);
      }
    }
    const p = (t: LearningProgressTeacher, family: string) =>
      t.distribution().find((d) => d.arm.family === family)!.probability;
    // Without a prior, no progress anywhere: all three arms are equally likely.
    expect(p(plain, 'practice')).toBeCloseTo(1 / 3, 10);
    // practice : plain : mastered = 3 : 1 : 0.25.
    expect(p(leaning, 'practice')).toBeCloseTo(3 / 4.25, 10);
    expect(p(leaning, 'mastered')).toBeCloseTo(0.25 / 4.25, 10);
    expect(() => new LearningProgressTeacher({ arms, masteredWeight: 2 })).toThrow(/masteredWeight/);
  });
});
