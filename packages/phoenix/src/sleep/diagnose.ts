/**
 * Sleep's statistical analyst: turns a prioritized mini-batch into a diagnosis of where the agent
 * fails, grouped by (Self, task family, situation feature), and picks the gap to remediate.
 * A language-model Reflector Self can replace the wording (see `LearningObjective.analyst`), but the
 * evidence always comes from these counts.
 */

/** One sampled experience, reduced to what the analysis reads. */
export interface DiagnosisSample {
  experienceId: string;
  episodeId: string;
  self: string;
  environment: string;
  family: string;
  /** Situation features, e.g. `page:/checkout`, `site:nordwind`, `inventory:no-planks`. */
  features: string[];
  /** Whether the episode this step belongs to ended in success. */
  episodeSuccess: boolean;
  tdError: number;
}

export interface DiagnosisGroup {
  self: string;
  environment: string;
  family: string;
  feature: string | null;
  samples: number;
  episodes: number;
  failures: number;
  failureRate: number;
  meanAbsTd: number;
  maxAbsTd: number;
  /** Why this group ranks where it does: failure rate x surprise x evidence. */
  score: number;
}

export interface Diagnosis {
  groups: DiagnosisGroup[];
  target: DiagnosisGroup | null;
}

function summarize(
  key: Omit<
    DiagnosisGroup,
    'samples' | 'episodes' | 'failures' | 'failureRate' | 'meanAbsTd' | 'maxAbsTd' | 'score'
  >,
  items: DiagnosisSample[],
): DiagnosisGroup {
  const failures = items.filter((s) => !s.episodeSuccess).length;
  const absTd = items.map((s) => Math.abs(s.tdError));
  const meanAbsTd = absTd.reduce((a, b) => a + b, 0) / items.length;
  const failureRate = failures / items.length;
  return {
    ...key,
    samples: items.length,
    episodes: new Set(items.map((s) => s.episodeId)).size,
    failures,
    failureRate,
    meanAbsTd,
    maxAbsTd: Math.max(...absTd),
    score: (failureRate + 0.05) * (meanAbsTd + 0.05) * Math.sqrt(items.length),
  };
}

export function diagnose(samples: DiagnosisSample[], options: { minSamples?: number } = {}): Diagnosis {
  const minSamples = options.minSamples ?? 4;
  const byFamily = new Map<string, DiagnosisSample[]>();
  for (const s of samples) {
    const k = `${s.self}\u0000${s.environment}\u0000${s.family}`;
    const list = byFamily.get(k) ?? [];
    list.push(s);
    byFamily.set(k, list);
  }
  const groups: DiagnosisGroup[] = [];
  for (const items of byFamily.values()) {
    const first = items[0]!;
    const base = { self: first.self, environment: first.environment, family: first.family };
    groups.push(summarize({ ...base, feature: null }, items));
    const byFeature = new Map<string, DiagnosisSample[]>();
    for (const s of items) {
      for (const f of s.features) {
        const list = byFeature.get(f) ?? [];
        list.push(s);
        byFeature.set(f, list);
      }
    }
    for (const [feature, list] of byFeature) {
      if (list.length >= minSamples && list.length < items.length)
        groups.push(summarize({ ...base, feature }, list));
    }
  }
  groups.sort(
    (a, b) => b.score - a.score || a.self.localeCompare(b.self) || a.family.localeCompare(b.family),
  );
  // The target is a family-level group (a Self is trained per family); its strongest feature is cited.
  const target = groups.find((g) => g.feature === null && g.samples >= minSamples && g.failures > 0) ?? null;
  return { groups, target };
}
