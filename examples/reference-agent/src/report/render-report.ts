/**
 * Renders a run's metrics as one self-contained HTML page: no network, the charting library
 * (uPlot) is inlined from the installed package at render time, the data is embedded as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { aggregate, type RunMetrics } from '../metrics';

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

export function renderReport(metrics: RunMetrics): string {
  const { js, css } = uplotAssets();
  const last = metrics.cycles[metrics.cycles.length - 1];
  const first = metrics.cycles[0];
  const experience = (s: { needsExperience: boolean }) => s.needsExperience;
  const lexical = (s: { needsExperience: boolean }) => !s.needsExperience;
  const summaryRows =
    first && last
      ? [
          [
            'Held-out success, families that need experience',
            aggregate(first.heldout, experience),
            aggregate(last.heldout, experience),
            aggregate(metrics.randomBaseline, experience),
          ],
          [
            'Held-out success, lexical families',
            aggregate(first.heldout, lexical),
            aggregate(last.heldout, lexical),
            aggregate(metrics.randomBaseline, lexical),
          ],
        ]
      : [];
  const objectives = metrics.cycles.flatMap((c) => c.objectives);
  const data = JSON.stringify(metrics).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chimera reference agent report</title>
<style>${css}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1c2330;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0}td,th{border:1px solid #dde;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f9}.charts{display:grid;grid-template-columns:1fr 1fr;gap:16px}.chart{min-height:300px}
.muted{color:#667}</style></head>
<body>
<h1>Chimera reference agent</h1>
<p class="muted">Seed ${metrics.seed}, started ${escapeHtml(metrics.startedAt)}, ${metrics.cycles.length - 1} Phoenix cycle(s). Config: <code>${escapeHtml(JSON.stringify(metrics.config))}</code></p>
<h2>Summary</h2>
<table><tr><th></th><th>cycle 0</th><th>last cycle</th><th>random policy</th></tr>
${summaryRows.map((r) => `<tr><td>${r[0]}</td><td>${pct(r[1] as number)}</td><td>${pct(r[2] as number)}</td><td>${pct(r[3] as number)}</td></tr>`).join('\n')}
</table>
<h2>Learning curves</h2>
<div class="charts">
<div><h3>Held-out success per cycle</h3><div id="chart-heldout" class="chart"></div></div>
<div><h3>Held-out success per environment</h3><div id="chart-env" class="chart"></div></div>
<div><h3>Training success per Self</h3><div id="chart-selves" class="chart"></div></div>
<div><h3>Time per phase (s)</h3><div id="chart-timing" class="chart"></div></div>
</div>
<h2>Held-out success per family</h2>
<table><tr><th>environment</th><th>family</th><th>needs experience</th>${metrics.cycles.map((c) => `<th>cycle ${c.cycle}</th>`).join('')}<th>random</th></tr>
${(first?.heldout ?? [])
  .map(
    (f) =>
      `<tr><td>${escapeHtml(f.environment)}</td><td>${escapeHtml(f.family)}</td><td>${f.needsExperience ? 'yes' : 'no'}</td>${metrics.cycles
        .map((c) => {
          const s = c.heldout.find((h) => h.family === f.family && h.environment === f.environment);
          return `<td>${s ? `${pct(s.rate)} (${s.successes}/${s.episodes})` : ''}</td>`;
        })
        .join(
          '',
        )}<td>${pct(metrics.randomBaseline.find((h) => h.family === f.family && h.environment === f.environment)?.rate ?? 0)}</td></tr>`,
  )
  .join('\n')}
</table>
<h2>Learning objectives written at each Sleep</h2>
<table><tr><th>cycle</th><th>target Self</th><th>objective</th><th>kept</th><th>outcome</th></tr>
${objectives.map((o) => `<tr><td>${o.cycle}</td><td>${escapeHtml(o.targetSelf)}</td><td>${escapeHtml(o.summary)}</td><td>${o.kept ? 'yes' : 'rolled back'}</td><td>${escapeHtml(o.outcome)}</td></tr>`).join('\n')}
</table>
<h2>Self swaps, memory and multi-agent sessions</h2>
<table><tr><th>cycle</th><th>Self changes inside episodes</th><th>adapter swap latency (run mean)</th><th>RSS</th><th>heap</th><th>multi-agent</th></tr>
${metrics.cycles.map((c) => `<tr><td>${c.cycle}</td><td>${c.swaps.count}</td><td>${c.swaps.meanLatencyMs.toFixed(3)} ms</td><td>${c.memoryMb.rss.toFixed(0)} MB</td><td>${c.memoryMb.heapUsed.toFixed(0)} MB</td><td><code>${escapeHtml(JSON.stringify(c.multiAgent))}</code></td></tr>`).join('\n')}
</table>
<h2>Memory plan</h2>
<pre>${escapeHtml(metrics.memoryPlan.join('\n'))}</pre>
<script>${js}</script>
<script>
const M = ${data};
const cycles = M.cycles.map(c => c.cycle);
function agg(scores, f) { const p = scores.filter(f); const n = p.reduce((s, x) => s + x.episodes, 0); return n ? p.reduce((s, x) => s + x.successes, 0) / n : 0; }
const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#64748b'];
function draw(id, series, data, yMax) {
  const el = document.getElementById(id);
  const opts = { width: el.clientWidth || 500, height: 280, scales: { x: { time: false }, y: yMax ? { range: [0, yMax] } : {} },
    axes: [{ label: 'cycle' }, {}],
    series: [{ label: 'cycle' }, ...series.map((s, i) => ({ label: s, stroke: palette[i % palette.length], width: 2, points: { show: true } }))] };
  new uPlot(opts, [cycles, ...data], el);
  el.dataset.drawn = 'true';
}
const randomExp = agg(M.randomBaseline, s => s.needsExperience), randomLex = agg(M.randomBaseline, s => !s.needsExperience);
draw('chart-heldout', ['needs experience', 'lexical', 'random (needs experience)', 'random (lexical)'], [
  M.cycles.map(c => agg(c.heldout, s => s.needsExperience)), M.cycles.map(c => agg(c.heldout, s => !s.needsExperience)),
  M.cycles.map(() => randomExp), M.cycles.map(() => randomLex)], 1);
const envs = [...new Set(M.cycles.flatMap(c => c.heldout.map(h => h.environment)))];
draw('chart-env', envs, envs.map(e => M.cycles.map(c => agg(c.heldout, s => s.environment === e))), 1);
const selves = [...new Set(M.cycles.flatMap(c => c.perSelf.map(s => s.self)))];
draw('chart-selves', selves, selves.map(n => M.cycles.map(c => { const s = c.perSelf.find(x => x.self === n); return s ? s.rate : null; })), 1);
const phases = [...new Set(M.cycles.flatMap(c => c.timings.map(t => t.phase)))];
draw('chart-timing', phases, phases.map(p => M.cycles.map(c => { const t = c.timings.find(x => x.phase === p); return t ? t.ms / 1000 : 0; })));
document.body.dataset.charts = String(document.querySelectorAll('[data-drawn=true]').length);
</script>
</body></html>
`;
}
