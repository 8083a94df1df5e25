/**
 * "Did you mean" for unknown tool names: the registered names nearest by edit distance (with a
 * bonus for shared substrings, so `click` finds `browser_click`).
 */

export function closestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const target = wanted.toLowerCase().slice(0, 128);
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    let score = editDistance(target, lower);
    if (target.length >= 3 && (lower.includes(target) || target.includes(lower))) {
      score = Math.min(score, Math.abs(lower.length - target.length) / 4);
    }
    scored.push({ name, score });
  }
  const cutoff = Math.max(3, target.length * 0.6);
  return scored
    .filter((s) => s.score <= cutoff)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** Levenshtein distance with two rolling rows. */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}
