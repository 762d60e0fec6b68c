// Turns the raw results of scripts/bench into docs/BENCHMARKS.md and the SVG plots it embeds.
//
//   node scripts/bench_report.mjs RESULTS_DIR [DOCS_DIR]
//
// RESULTS_DIR is what scripts/bench wrote (run.env, NAME.out/.err/.status per step, manifest.json). A step that
// is missing or failed shows as such in the report; nothing is filled in.
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { execSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const [resultsDir, docsDir = 'docs'] = process.argv.slice(2);
if (!resultsDir || !existsSync(resultsDir)) {
  console.error('usage: node bench_report.mjs RESULTS_DIR [DOCS_DIR]');
  process.exit(2);
}

// ---------- reading the raw results ----------
const file = (name) => path.join(resultsDir, name);
const text = (name) => (existsSync(file(name)) ? readFileSync(file(name), 'utf8') : null);
function json(name) {
  const t = text(name);
  if (!t) return null;
  try {
    // Google Benchmark writes NaN and inf for counters it could not compute, which JSON has no word for.
    return JSON.parse(t.replace(/:\s*-?(nan|NaN|inf|Infinity)\b/g, ': null'));
  } catch {
    return null;
  }
}
function status(name) {
  const t = text(`${name}.status`);
  if (!t) return { ran: false };
  const rc = Number(/rc=(\d+)/.exec(t)?.[1] ?? 1);
  return { ran: true, ok: rc === 0, rc, seconds: Number(/seconds=(\d+)/.exec(t)?.[1] ?? 0) };
}
const run = Object.fromEntries(
  (text('run.env') ?? '')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const quick = run.quick === '1';

// /usr/bin/time -v writes its report at the end of stderr.
function timeV(name) {
  const t = text(`${name}.err`);
  if (!t) return null;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(t);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(t);
  if (!rss) return null;
  let seconds = null;
  if (wall) seconds = wall[1].split(':').reduce((a, x) => a * 60 + Number(x), 0);
  return { rssMB: Number(rss[1]) / 1024, seconds };
}

// Google Benchmark JSON: the median aggregate of each benchmark, in milliseconds.
function gbench(name) {
  const j = json(`${name}.out`);
  if (!j?.benchmarks) return null;
  const scale = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3 };
  const out = {};
  for (const b of j.benchmarks) {
    if (b.run_type === 'aggregate' && b.aggregate_name !== 'median') continue;
    const base = b.run_name.replace(/\/repeats:\d+$/, '');
    if (b.run_type !== 'aggregate' && out[base]) continue;
    const s = scale[b.time_unit] ?? 1;
    out[base] = { wall: b.real_time * s, cpu: b.cpu_time * s };
  }
  return { results: out, load: j.context?.load_avg };
}

function probeBench() {
  const t = text('probe_bench.out');
  if (!t) return null;
  const scripts = [];
  for (const m of t.matchAll(/^(\S+\/\S+\.py)\s+(ok|skipped|failed)\s+([\d.]+)/gm))
    scripts.push({ script: m[1], status: m[2], seconds: Number(m[3]) });
  const programs = [];
  for (const m of t.matchAll(/^(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(-?[\d.]+)%\s+(\d+)\s+(\S+)/gm))
    programs.push({
      name: m[1].trim(),
      med: Number(m[2]),
      max: Number(m[3]),
      bareMed: Number(m[4]),
      bareMax: Number(m[5]),
      overhead: Number(m[6]),
      steps: Number(m[7]),
      valAcc: m[8],
    });
  const rss = /peak RSS: (\d+) MB/.exec(t);
  return { scripts, programs, peakMB: rss ? Number(rss[1]) : null };
}

function serverBench() {
  const t = text('server_bench.out');
  if (!t) return null;
  const pull = /\(pull\): median ([\d.]+) ms, p90 ([\d.]+) ms, max ([\d.]+) ms \(n=(\d+)\)/.exec(t);
  const push = /\(push\): median ([\d.]+) ms, p90 ([\d.]+) ms \(n=(\d+)\)/.exec(t);
  const rss = /server RSS: ([\d.]+) MB after initialize, ([\d.]+) MB with all (\d+) scripts open, ([\d.]+) MB after/.exec(t);
  const scripts = /scripts: (\d+) \((\d+) lines\)/.exec(t);
  return {
    pull: pull && { median: +pull[1], p90: +pull[2], max: +pull[3], n: +pull[4] },
    push: push && { median: +push[1], p90: +push[2], n: +push[3] },
    rss: rss && { idle: +rss[1], open: +rss[2], scripts: +rss[3], after: +rss[4] },
    scripts: scripts && { n: +scripts[1], lines: +scripts[2] },
  };
}

// ---------- small helpers ----------
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (x) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(1));
const f2 = (x) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(2));
const f3 = (x) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(3));
// Milliseconds, or microseconds below 0.1 ms where three decimals of a millisecond say nothing.
const ms = (x) => (x == null ? '—' : x < 0.1 ? `${(x * 1000).toFixed(2)} µs` : `${x.toFixed(3)} ms`);
const pct = (n, d) => (d ? (100 * n) / d : null);
const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function sh(cmd) {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

// ---------- the machine ----------
const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
const osName = existsSync('/etc/os-release')
  ? /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]
  : os.type();
// The commit the run started from (scripts/bench records it: others may commit while it runs).
const commit = run.commit || sh('git rev-parse --short HEAD');
const commitDate = sh(`git log -1 --format=%cI ${commit}`);
// Tracked files that differ from the commit (other engineers' work in progress in a shared checkout): what was
// measured is the commit plus these.
const dirtyFiles = (run.dirty_files !== undefined
  ? run.dirty_files.split(' ')
  : sh('git status --porcelain --untracked-files=no').split('\n').map((l) => l.replace(/^\s*\S+\s+/, ''))
).filter(Boolean);
const dirty = dirtyFiles.length > 0;

// ---------- accuracy ----------
const evalProbe = json('eval_probe.out');
const evalStatic = json('eval_static.out');
const evalLsp = json('eval_lsp.out');
const subjectsDir = run.subjects;
// The published tools were scored on the subjects whose truth.json has a `deepfd` record: compare on those.
const withPublished = new Set();
if (subjectsDir && existsSync(subjectsDir))
  for (const d of readdirSync(subjectsDir)) {
    try {
      const t = JSON.parse(readFileSync(path.join(subjectsDir, d, 'truth.json'), 'utf8'));
      if (Array.isArray(t.deepfd) && t.deepfd.length) withPublished.add(d);
    } catch {
      /* not a subject */
    }
  }
function onSubset(ev) {
  if (!ev) return null;
  const rows = ev.subjects.filter((r) => withPublished.has(r.subject));
  return {
    n: rows.length,
    diagnosed: rows.filter((r) => r.diagnosed).length,
    localized: rows.filter((r) => r.localized).length,
  };
}
const published = (evalProbe ?? evalStatic)?.summary.published ?? {};
const comparison = [];
if (evalProbe) comparison.push({ tool: 'faultline', ...onSubset(evalProbe) });
if (evalLsp) comparison.push({ tool: 'faultline, through the language server', ...onSubset(evalLsp) });
if (evalStatic) comparison.push({ tool: 'faultline, static only', ...onSubset(evalStatic) });
for (const tool of ['DeepFD', 'UMLAUT', 'DeepLocalize', 'AutoTrainer'])
  if (published[tool])
    comparison.push({ tool, n: published[tool].subjects, diagnosed: published[tool].diagnosed, localized: published[tool].localized });

// ---------- seeded ----------
const manifest = json('manifest.json');
const deepfdTypes = ['opt', 'lr', 'act', 'loss', 'epoch'];

// ---------- speed ----------
const parse = gbench('parse_bench');
const rules = gbench('rules_bench');
const diagnoseB = gbench('diagnose_bench');
const probe = probeBench();
const server = serverBench();
const hover = json('hover_bench.out');
const coverage = text('parse_coverage.out');
const coverageMedian = coverage && /median over scripts ([\d.]+) ms, max ([\d.]+) ms/.exec(coverage);
const coverageFull = coverage && /(\d+) of (\d+) scripts: full model/.exec(coverage);

// ---------- correct scripts (wild) and the folder run ----------
// The framework of a script, from its text: this report's grouping only (the tool decides for itself).
function frameworkOf(file) {
  let t = '';
  try {
    t = readFileSync(file, 'utf8');
  } catch {
    return 'unknown';
  }
  if (/^\s*(import torch|from torch)/m.test(t)) return 'PyTorch';
  if (/\b(keras|Sequential|Model)\s*\(/.test(t) && /^\s*(import keras|from keras|from tensorflow import keras|from tensorflow\.keras|import tensorflow\.keras)/m.test(t)) return 'Keras';
  if (/tf\.(placeholder|Session|estimator|compat\.v1)/.test(t)) return 'TF1';
  return /keras/.test(t) ? 'Keras' : 'TF1';
}
const wildOut = json('wild_check.out');
const wild = wildOut?.files?.map((f) => {
  const alarms = f.diagnostics.filter((d) => d.severity === 1 || d.severity === 2);
  return {
    name: path.basename(f.path, '.py'),
    framework: frameworkOf(f.path),
    status: f.probe.status,
    reason: f.probe.reason,
    alarms: alarms.map((d) => `${d.code} ${d.severity === 1 ? 'Error' : 'Warning'} line ${d.range.start.line + 1}`),
  };
}) ?? null;
const pctOf = (a, n) => (n ? (100 * a) / n : 0);
const folderTime = (() => {
  const t = text('folder_check.err');
  const share = t && /Percent of CPU this job got: (\d+)%/.exec(t);
  const wall = t && /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(t);
  if (!share) return null;
  const files = json('folder_check.out')?.files?.length ?? null;
  return {
    cores: Number(run.cores ?? os.cpus().length),
    busy: Number(share[1]) / 100,
    seconds: wall ? wall[1].split(':').reduce((a, x) => a * 60 + Number(x), 0) : null,
    files,
  };
})();
// Of the alarmed (subject, type) pairs, the share of true ones.
function typePrecision(ev) {
  const v = Object.values(ev?.summary.per_type ?? {});
  const tp = v.reduce((a, x) => a + x.tp, 0), fp = v.reduce((a, x) => a + x.fp, 0);
  return tp + fp ? { tp, fp, precision: tp / (tp + fp) } : null;
}

// ---------- targets ----------
// Each: what, target text, measured text, pass (true/false/null when not measured), source issue.
const targets = [];
function target(what, goal, measured, pass, issue) {
  targets.push({ what, goal, measured, pass, issue });
}
const worst = (res, names) => {
  const xs = names.filter((n) => res?.[n]).map((n) => ({ n, ...res[n] }));
  if (!xs.length) return null;
  return xs.reduce((a, b) => (b.cpu > a.cpu ? b : a));
};
// In-process benchmarks are judged on CPU time: the machine is shared, and wall time then measures the others.
function gtarget(what, res, names, limitMs, issue) {
  const w = worst(res, names);
  if (!w) return target(what, `< ${limitMs} ms`, 'not measured', null, issue);
  target(what, `< ${limitMs} ms`, `${ms(w.cpu)} CPU (${ms(w.wall)} wall), ${names.length > 1 ? `worst of ${names.length}: ${w.n}` : w.n}`, w.cpu < limitMs, issue);
}
const typicalNames = Object.keys(parse?.results ?? {}).filter((n) => n.startsWith('BM_Typical_'));
gtarget('parse + extract, typical script (median)', parse?.results, typicalNames, 2, 3);
gtarget('parse + extract, 5,000-line script (median)', parse?.results, ['BM_Long5000'], 50, 3);
// The issue asks it of a typical script (docs/parser.md explains why long files gain little from it).
gtarget('incremental re-parse after a one-character edit, typical script (median)', parse?.results,
  ['BM_IncrementalEdit_Typical'], 1, 3);
gtarget('all static checks on a typical script (median)', rules?.results,
  Object.keys(rules?.results ?? {}).filter((n) => n.startsWith('BM_Checks')), 1, 6);
// The issue asks for a model that "loads at start-up in milliseconds"; 100 ms is the line drawn here.
gtarget('diagnosis model load at start-up, nine classifiers (median)', diagnoseB?.results,
  ['BM_LoadModel_NineClassifiers'], 100, 5);
if (probe?.scripts.length) {
  const secs = probe.scripts.map((s) => s.seconds);
  const max = Math.max(...secs);
  target('default probe per real script (buggy + fixed)', '< 3 s each',
    `median ${f2(median(secs))} s, max ${f2(max)} s over ${secs.length} scripts`, max < 3, 4);
} else target('default probe per real script', '< 3 s each', 'not measured', null, 4);
if (probe?.programs.length) {
  const w = probe.programs.reduce((a, b) => (b.overhead > a.overhead ? b : a));
  target('instruments overhead vs the same steps uninstrumented', '< 20%',
    `worst ${f1(w.overhead)}% (${w.name}); ${probe.programs.map((p) => `${p.name.split(' ')[0]} ${f1(p.overhead)}%`).join(', ')}`,
    w.overhead < 20, 4);
} else target('instruments overhead', '< 20%', 'not measured', null, 4);
if (server?.pull)
  target('didChange -> fresh diagnostics, excluding the debounce (median)', '< 20 ms',
    `${f2(server.pull.median)} ms (p90 ${f2(server.pull.p90)}, n=${server.pull.n})`, server.pull.median < 20, 7);
else target('didChange -> diagnostics (median)', '< 20 ms', 'not measured', null, 7);
if (hover?.hover_ms?.max != null)
  target('hover while a probe runs (every hover)', '< 50 ms',
    `max ${f1(hover.hover_ms.max)} ms, p90 ${f1(hover.hover_ms.p90)}, median ${f1(hover.hover_ms.median)} (n=${hover.hovers})`,
    hover.hover_ms.max < 50, 7);
else target('hover while a probe runs', '< 50 ms', 'not measured', null, 7);
if (evalProbe) {
  const s = evalProbe.summary;
  target('diagnosed (real subjects, with the probe)', '>= 60%', `${f1(s.diagnosed_pct)}% (${s.diagnosed}/${s.subjects})`, s.diagnosed_pct >= 60, 5);
  target('localized (real subjects, with the probe)', '>= 50%', `${f1(s.localized_pct)}% (${s.localized}/${s.subjects})`, s.localized_pct >= 50, 5);
  target('still flagged on the fix (with the probe)', '<= 25%', `${f1(s.still_flagged_pct)}% (${s.still_flagged_on_fix}/${s.fixed_files})`, s.still_flagged_pct <= 25, 5);
} else {
  const why = run.have_subjects !== '1' ? 'no subjects' : quick ? 'skipped (--quick)' : 'not measured';
  target('diagnosed (with the probe)', '>= 60%', why, null, 5);
  target('localized (with the probe)', '>= 50%', why, null, 5);
  target('still flagged on the fix (with the probe)', '<= 25%', why, null, 5);
}
if (evalProbe) {
  const s = evalProbe.summary;
  const tpr = typePrecision(evalProbe);
  target('probe coverage on the real subjects', '>= 95%', `${f1(s.probe_coverage_pct)}%`, s.probe_coverage_pct >= 95, 19);
  if (tpr) target('type precision: true alarmed types / alarmed types (real subjects)', '>= 0.75', `${f2(tpr.precision)} (${tpr.tp}/${tpr.tp + tpr.fp})`, tpr.precision >= 0.75, 20);
  target('still flagged on the fix (real subjects)', '<= 5%', `${f1(s.still_flagged_pct)}% (${s.still_flagged_on_fix}/${s.fixed_files})`, s.still_flagged_pct <= 5, 20);
}
if (evalLsp && evalProbe) {
  const a = evalProbe.summary, b = evalLsp.summary;
  const same = a.diagnosed === b.diagnosed && a.localized === b.localized && a.still_flagged_on_fix === b.still_flagged_on_fix;
  target('the language server scores as the command line (diagnosed / localized / still flagged)', 'equal',
    `lsp ${b.diagnosed}/${b.localized}/${b.still_flagged_on_fix}, cli ${a.diagnosed}/${a.localized}/${a.still_flagged_on_fix}`, same, 24);
}
if (wild) {
  const ok = wild.filter((w) => w.status === 'ok').length;
  target('probe coverage on correct example scripts (wild)', '>= 90%', `${f1(pctOf(ok, wild.length))}% (${ok}/${wild.length})`, pctOf(ok, wild.length) >= 90, 19);
  for (const fw of [...new Set(wild.map((w) => w.framework))].sort()) {
    const xs = wild.filter((w) => w.framework === fw), k = xs.filter((w) => w.status === 'ok').length;
    target(`probe coverage on wild ${fw} scripts`, '>= 85%', `${f1(pctOf(k, xs.length))}% (${k}/${xs.length})`, pctOf(k, xs.length) >= 85, 19);
  }
  const alarmed = wild.filter((w) => w.alarms.length).length;
  target('correct example scripts with an Error or Warning (wild)', '<= 5%', `${f1(pctOf(alarmed, wild.length))}% (${alarmed}/${wild.length})`, pctOf(alarmed, wild.length) <= 5, 20);
} else target('probe coverage and false alarms on correct scripts (wild)', 'see #19, #20', 'not measured', null, 19);
if (folderTime)
  target(`\`check\` on a folder of ${folderTime.files ?? '?'} scripts keeps every core busy`, `>= 90% of ${folderTime.cores} cores`,
    `${f2(folderTime.busy)} cores busy on average over ${f1(folderTime.seconds)} s`, folderTime.busy >= 0.9 * folderTime.cores, 21);
else target('`check` on a folder of 100 scripts keeps every core busy', '>= 90% of the cores', 'not measured', null, 21);
// The grouped cross-validation scores every program once (five times the single test split's positives), so
// it is the estimate the target is judged on when the manifest has it.
const cvScores = manifest?.cross_validation?.scores;
for (const t of deepfdTypes) {
  const e = manifest?.evaluation?.[t];
  const cv = cvScores?.[t];
  if (!manifest) target(`seeded held-out F1, ${t}`, '>= 0.85', 'no model (engine/models/manifest.json absent)', null, 5);
  else if (!e || e.trained === false) target(`seeded held-out F1, ${t}`, '>= 0.85', 'no classifier trained for this type', false, 5);
  else if (cv) target(`seeded held-out F1, ${t} (grouped ${manifest.cross_validation.folds}-fold CV)`, '>= 0.85', `${f3(cv.f1)} (P ${f2(cv.precision)}, R ${f2(cv.recall)}, ${cv.positives} positives; single test split ${f3(e.f1)})`, cv.f1 >= 0.85, 5);
  else target(`seeded held-out F1, ${t}`, '>= 0.85', `${f3(e.f1)} (P ${f2(e.precision)}, R ${f2(e.recall)}, ${e.test_positives} test positives)`, e.f1 >= 0.85, 5);
}
const mark = (p) => (p === true ? '**pass**' : p === false ? '**miss**' : 'n/a');

// ---------- SVG: accuracy ----------
const palette = { diagnosed: '#3b6ea8', localized: '#e08a2e' };
// SVG coordinates: one decimal is plenty.
const r1 = (v) => Math.round(v * 10) / 10;
function accuracySvg() {
  const rows = comparison.filter((c) => c.n);
  const W = 720, rowH = 46, top = 56, left = 190, barW = 440;
  const H = top + rows.length * rowH + 40;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">Diagnosed and localized, on the ${rows[0]?.n ?? 0} real subjects with published results</text>`,
    `<rect x="${left}" y="34" width="12" height="12" fill="${palette.diagnosed}"/><text x="${left + 16}" y="45">diagnosed</text>`,
    `<rect x="${left + 100}" y="34" width="12" height="12" fill="${palette.localized}"/><text x="${left + 116}" y="45">localized</text>`];
  for (let g = 0; g <= 100; g += 25) {
    const x = left + (barW * g) / 100;
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
      `<text x="${x}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${g}%</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 8}" y="${y + 24}" text-anchor="end"${r.tool.startsWith('faultline') ? ' font-weight="bold"' : ''}>${esc(r.tool)}</text>`);
    [['diagnosed', 4], ['localized', 22]].forEach(([k, dy]) => {
      const p = pct(r[k], r.n);
      out.push(`<rect x="${left}" y="${y + dy}" width="${((barW * p) / 100).toFixed(1)}" height="16" fill="${palette[k]}"/>`,
        `<text x="${r1(left + (barW * p) / 100 + 4)}" y="${y + dy + 13}" fill="#333">${f1(p)}% (${r[k]}/${r.n})</text>`);
    });
  });
  out.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle" fill="#555" font-size="11">published results from truth.json (DeepFD, ICSE 2022); faultline measured by scripts/bench, commit ${esc(commit)}</text>`, '</svg>');
  return out.join('\n');
}

// ---------- SVG: probe time distribution ----------
function probeSvg() {
  const scripts = probe?.scripts ?? [];
  const W = 720, H = 300, left = 50, right = 20, top = 50, bottom = 50;
  const maxS = Math.max(3.5, ...scripts.map((s) => s.seconds));
  const bin = 0.25;
  const nb = Math.ceil(maxS / bin);
  const colors = { ok: '#3b6ea8', skipped: '#aaa', failed: '#c0392b' };
  const counts = Array.from({ length: nb }, () => ({ ok: 0, skipped: 0, failed: 0 }));
  for (const s of scripts) counts[Math.min(nb - 1, Math.floor(s.seconds / bin))][s.status]++;
  const maxC = Math.max(1, ...counts.map((c) => c.ok + c.skipped + c.failed));
  const pw = W - left - right, ph = H - top - bottom;
  const x = (sec) => r1(left + (pw * sec) / (nb * bin));
  const y = (c) => r1(top + ph - (ph * c) / maxC);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">Default probe time per real script (${scripts.length} scripts, buggy and fixed)</text>`];
  let lx = left;
  for (const k of ['ok', 'skipped', 'failed']) {
    const n = scripts.filter((s) => s.status === k).length;
    out.push(`<rect x="${lx}" y="30" width="12" height="12" fill="${colors[k]}"/><text x="${lx + 16}" y="41">${k} (${n})</text>`);
    lx += 110;
  }
  for (let c = 0; c <= maxC; c += Math.max(1, Math.ceil(maxC / 5)))
    out.push(`<line x1="${left}" y1="${y(c)}" x2="${W - right}" y2="${y(c)}" stroke="#eee"/><text x="${left - 6}" y="${y(c) + 4}" text-anchor="end" fill="#555">${c}</text>`);
  counts.forEach((c, i) => {
    let base = 0;
    for (const k of ['ok', 'skipped', 'failed']) {
      if (!c[k]) continue;
      out.push(`<rect x="${x(i * bin) + 1}" y="${y(base + c[k])}" width="${r1(x(bin) - left - 2)}" height="${r1(y(base) - y(base + c[k]))}" fill="${colors[k]}"/>`);
      base += c[k];
    }
  });
  for (let s = 0; s <= nb * bin + 1e-9; s += 0.5)
    out.push(`<text x="${x(s)}" y="${top + ph + 16}" text-anchor="middle" fill="#555">${s}</text>`);
  out.push(`<line x1="${x(3)}" y1="${top - 4}" x2="${x(3)}" y2="${top + ph}" stroke="#c0392b" stroke-dasharray="5,3"/>`,
    `<text x="${x(3) - 4}" y="${top + 8}" text-anchor="end" fill="#c0392b">target 3 s</text>`,
    `<line x1="${left}" y1="${top + ph}" x2="${W - right}" y2="${top + ph}" stroke="#333"/>`,
    `<text x="${left + pw / 2}" y="${H - 12}" text-anchor="middle">seconds (bins of ${bin} s); scripts per bin on the vertical axis</text>`, '</svg>');
  return out.join('\n');
}

// ---------- the markdown ----------
const L = [];
// Busy: more runnable work than half the cores at the start or the end of the run.
const busy = [run.load_start, run.load_end].some((l) => Number(l?.split(' ')[0]) > os.cpus().length / 2);
const loadNote = `load average ${run.load_start ?? '?'} at the start and ${run.load_end ?? '?'} at the end (1, 5, 15 min)`;
L.push('# Benchmarks', '',
  `Written by \`scripts/bench\`${quick ? ' **--quick** (fewer repetitions, no eval with the probe: not the numbers to quote)' : ''}; do not edit by hand. ` +
  'Every run rewrites this file; its history in git keeps the earlier numbers.', '',
  '| | |', '|---|---|',
  `| date | ${run.started ?? new Date().toISOString()} to ${run.finished ?? '?'} |`,
  `| commit | \`${commit}\` (${commitDate})${dirty ? `, plus uncommitted changes to ${dirtyFiles.length} tracked files when the run started (other engineers work in the same checkout; listed at the end)` : ''} |`,
  `| CPU | ${esc(cpuModel)}, ${os.cpus().length} cores |`,
  `| RAM | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
  `| OS | ${esc(osName)}, Linux ${os.release()} |`,
  `| load | ${loadNote}${busy ? ': other work was running on the machine, so wall-clock numbers are pessimistic' : ''} |`,
  `| subjects | \`${run.subjects ?? '?'}\`${run.have_subjects === '1' ? '' : ' (absent: those steps skipped)'} |`, '');

L.push('## Targets', '', 'In-process benchmarks are judged on CPU time of the benchmark thread (wall time beside it); whole-process ' +
  'latencies (probe, server, hover) are wall time on the loaded machine.', '',
  '| what | issue | target | measured | result |', '|---|---|---|---|---|');
for (const t of targets) L.push(`| ${t.what} | #${t.issue} | ${esc(t.goal)} | ${esc(t.measured)} | ${mark(t.pass)} |`);
L.push('');

L.push('## Accuracy on the real subjects', '');
if (!evalProbe && !evalStatic) L.push(`Not measured: ${run.have_subjects === '1' ? 'faultline eval failed (see the raw results)' : 'no subjects on this machine'}.`, '');
else {
  L.push('`faultline eval DIR --json` with the probe and with `--no-probe` (static checks only). Scoring as in the DeepFD ' +
    'paper (lenient): diagnosed = an alarm (Error or Warning) of a true fault type (for the no-fault control: no alarm); ' +
    'localized = an alarm on a fault line; still flagged = an alarm of a true type on the fixed program.', '',
    'The middle column is the same scoring through `faultline lsp` (what an editor user sees: `faultline eval --through lsp`).', '',
    '| | with the probe | through the language server | static checks only |', '|---|---|---|---|');
  const col = (ev, fn) => (ev ? fn(ev.summary) : quick ? 'skipped (--quick)' : 'not measured');
  const rowsA = [
    ['subjects', (s) => `${s.subjects}`],
    ['diagnosed', (s) => `${s.diagnosed} (${f1(s.diagnosed_pct)}%)`],
    ['localized', (s) => `${s.localized} (${f1(s.localized_pct)}%)`],
    ['still flagged on the fix', (s) => `${s.still_flagged_on_fix}/${s.fixed_files} (${f1(s.still_flagged_pct)}%)`],
    ['probe coverage (files whose probe ran)', (s) => `${f1(s.probe_coverage_pct)}%`],
    ['analysis time per file (parse, checks, probe, diagnosis, fix validation, what-if probes), median / max', (s) => `${f2(s.seconds_median)} s / ${f2(s.seconds_max)} s`],
  ];
  rowsA.push(['diagnosis model in the binary', (s) =>
    s.diagnosis_model === undefined ? 'not reported' : s.diagnosis_model.bundled ? 'bundled' : `none (${s.diagnosis_model.error})`]);
  rowsA.push(['type precision (true alarmed types / alarmed types)', (s) => {
    const t = typePrecision({ summary: s });
    return t ? `${f2(t.precision)} (${t.tp}/${t.tp + t.fp})` : '—';
  }]);
  for (const [name, fn] of rowsA) L.push(`| ${name} | ${col(evalProbe, fn)} | ${col(evalLsp, fn)} | ${col(evalStatic, fn)} |`);
  const tv = [timeV('eval_probe'), timeV('eval_static')];
  L.push(`| whole run: wall time, peak RSS | ${tv[0] ? `${f1(tv[0].seconds)} s, ${tv[0].rssMB.toFixed(0)} MB` : '—'} | — | ${tv[1] ? `${f1(tv[1].seconds)} s, ${tv[1].rssMB.toFixed(0)} MB` : '—'} |`, '');
  if (comparison.length) {
    L.push(`### Against the published tools (the ${withPublished.size} subjects whose truth.json has the DeepFD paper's results)`, '',
      '![accuracy](bench_accuracy.svg)', '', '| tool | subjects | diagnosed | localized |', '|---|---|---|---|');
    for (const c of comparison) L.push(`| ${c.tool} | ${c.n} | ${c.diagnosed} (${f1(pct(c.diagnosed, c.n))}%) | ${c.localized} (${f1(pct(c.localized, c.n))}%) |`);
    L.push('', 'The published numbers are the DeepFD paper\'s (ICSE 2022) per-subject results as recorded in each truth.json; on its 52 ' +
      'subjects DeepFD diagnosed 51.9% and localized 42.3%.', '');
  }
  L.push('### Per fault type, over (subject, type) pairs', '', '| type | with the probe: tp / fp / fn | precision | recall | static only: tp / fp / fn | precision | recall |', '|---|---|---|---|---|---|---|');
  const types = new Set([...Object.keys(evalProbe?.summary.per_type ?? {}), ...Object.keys(evalStatic?.summary.per_type ?? {})]);
  for (const t of [...types].sort()) {
    const cell = (ev) => {
      const v = ev?.summary.per_type[t];
      if (!ev) return '— | — | —';
      if (!v) return '0 / 0 / 0 | — | —';
      // Undefined rather than 0 when nothing was alarmed (precision) or nothing was there to find (recall).
      return `${v.tp} / ${v.fp} / ${v.fn} | ${v.tp + v.fp ? f2(v.precision) : '—'} | ${v.tp + v.fn ? f2(v.recall) : '—'}`;
    };
    L.push(`| ${t} | ${cell(evalProbe)} | ${cell(evalStatic)} |`);
  }
  L.push('');
  const ev = evalProbe ?? evalStatic;
  L.push(`<details><summary>Per subject (${evalProbe ? 'with the probe' : 'static only'})</summary>`, '',
    '| subject | truth | alarms | diagnosed | localized | still flagged on fix | probe | seconds |', '|---|---|---|---|---|---|---|---|');
  for (const r of ev.subjects)
    L.push(`| ${r.subject} | ${r.truth.join(', ') || 'none'} | ${r.alarms.join(', ') || '—'} | ${r.diagnosed ? 'yes' : 'no'} | ${r.localized ? 'yes' : 'no'} | ${r.still_flagged_on_fix === undefined ? '—' : r.still_flagged_on_fix ? 'yes' : 'no'} | ${r.probe} | ${f2(r.seconds)} |`);
  L.push('', '</details>', '');
}

L.push('## Correct example scripts (wild)', '');
if (!wild) L.push(`Not measured: ${status('wild_check').ran ? 'the check failed (see the raw results)' : `no scripts at \`${run.wild ?? '?'}\``}.`, '');
else {
  L.push(`\`faultline check --format json DIR\` on the ${wild.length} correct, maintained example scripts in \`${run.wild}\`, ` +
    'with the probe and what-if, as a user runs it. Every Error or Warning there is a false alarm unless docs/rules.md ' +
    'shows the example itself is at fault. Framework grouping is read from each script\'s imports.', '',
    '| framework | scripts | probe ok | with an Error or Warning |', '|---|---|---|---|');
  for (const fw of [...new Set(wild.map((w) => w.framework)), 'all'].sort()) {
    const xs = fw === 'all' ? wild : wild.filter((w) => w.framework === fw);
    const ok = xs.filter((w) => w.status === 'ok').length, al = xs.filter((w) => w.alarms.length).length;
    L.push(`| ${fw} | ${xs.length} | ${ok} (${f1(pctOf(ok, xs.length))}%) | ${al} (${f1(pctOf(al, xs.length))}%) |`);
  }
  L.push('', '<details><summary>Per script</summary>', '', '| script | framework | probe | Errors and Warnings |', '|---|---|---|---|');
  for (const w of wild)
    L.push(`| ${w.name} | ${w.framework} | ${w.status}${w.status === 'ok' ? '' : `: ${esc(w.reason).replace(/\|/g, '\\|')}`} | ${w.alarms.join('; ') || '—'} |`);
  L.push('', '</details>', '');
}
if (folderTime)
  L.push(`Folder run: \`faultline check --no-whatif\` on a folder of ${folderTime.files ?? '?'} scripts took ${f1(folderTime.seconds)} s wall; ` +
    `the process and its workers kept ${f2(folderTime.busy)} of ${folderTime.cores} cores busy on average (/usr/bin/time's CPU share).`, '');

L.push('## Seeded held-out evaluation of the diagnosis models', '');
if (!manifest) L.push('Not available: `engine/models/manifest.json` is absent (no model has been trained with `faultline train` at this commit).', '');
else {
  const c = manifest.corpus ?? {};
  L.push(`From \`engine/models/manifest.json\` (written by \`faultline train\`, seed ${manifest.seed}): ${c.programs_ok ?? '?'} programs probed and usable, ` +
    `${c.mutants ?? '?'} mutants of which ${c.mutants_measurably_worse ?? '?'} measurably worse than their base` +
    (c.bases_dropped_unlearned !== undefined ? ` (${c.bases_dropped_unlearned} bases the probe learned nothing from dropped with their mutants)` : '') +
    `; rows train / validation / test ` +
    `${manifest.rows?.train ?? '?'} / ${manifest.rows?.validation ?? '?'} / ${manifest.rows?.test ?? '?'}, split by ${manifest.split?.by ?? '?'}. ` +
    'Scores on the held-out test rows at the threshold chosen on the validation rows.', '',
    '| type | threshold | precision | recall | F1 | test positives | F1 >= 0.85 |', '|---|---|---|---|---|---|---|');
  for (const [t, e] of Object.entries(manifest.evaluation ?? {}))
    L.push(`| ${t}${deepfdTypes.includes(t) ? '' : ' (not a DeepFD type)'} | ${e.trained === false ? '—' : f2(e.threshold)} | ${f3(e.precision)} | ${f3(e.recall)} | ${f3(e.f1)} | ${e.test_positives ?? '—'} | ${e.trained === false ? 'not trained' : mark(e.f1 >= 0.85)} |`);
  L.push('');
  if (cvScores) {
    L.push(`Grouped ${manifest.cross_validation.folds}-fold cross-validation (by ${manifest.cross_validation.grouped_by}): every program is scored once, ` +
      'by classifiers trained without its base, at thresholds chosen on a validation part of the other folds.', '',
      'The last two columns split the same scores: bases with the single-fault mutants, and the mutants with two or three ' +
      'faults (where a type is labelled whenever the mutant as a whole trained worse).', '',
      '| type | precision | recall | F1 | positives | F1 >= 0.85 | bases + single-fault: F1 (positives) | multi-fault: F1 (positives) |',
      '|---|---|---|---|---|---|---|---|');
    const part = (scores, t) => (scores?.[t] ? `${f3(scores[t].f1)} (${scores[t].positives})` : '—');
    for (const [t, e] of Object.entries(cvScores))
      L.push(`| ${t}${deepfdTypes.includes(t) ? '' : ' (not a DeepFD type)'} | ${f3(e.precision)} | ${f3(e.recall)} | ${f3(e.f1)} | ${e.positives} | ${mark(e.f1 >= 0.85)} | ` +
        `${part(manifest.cross_validation.scores_bases_and_single_fault, t)} | ${part(manifest.cross_validation.scores_multi_fault, t)} |`);
    L.push('');
  }
}

L.push('## Speed', '', '### Parser (bench/parse_bench.cpp, Google Benchmark, median of 9 repetitions)', '');
const gtable = (g) => {
  if (!g) return ['Not measured (see the raw results).', ''];
  const rows = ['| benchmark | CPU | wall |', '|---|---|---|'];
  for (const [n, v] of Object.entries(g.results)) rows.push(`| ${n} | ${ms(v.cpu)} | ${ms(v.wall)} |`);
  return [...rows, '', `Load average reported by the benchmark: ${g.load?.map((x) => x.toFixed(2)).join(', ') ?? '?'}.`, ''];
};
L.push(...gtable(parse));
if (coverageMedian) L.push(`Real scripts (bench/parse_coverage.cpp -t, median of 21 runs each, wall): parse + extract median over the scripts ${coverageMedian[1]} ms, max ${coverageMedian[2]} ms.` +
  (coverageFull ? ` ${coverageFull[1]} of ${coverageFull[2]} scripts yield the full model and all five DeepFD settings.` : ''), '');
L.push('### Static checks (bench/rules_bench.cpp, median of 9 repetitions)', '', ...gtable(rules));
L.push('### Diagnosis (bench/diagnose_bench.cpp, median of 9 repetitions)', '',
  'Loading the nine classifiers and the manifest from engine/models (the bundled model is the same bytes, compiled in), and one diagnosis of a recorded trace (features, nine predictions, localization).', '',
  ...gtable(diagnoseB));
L.push('### Probe (bench/probe_bench.cpp, OPENBLAS_NUM_THREADS=1)', '');
if (probe?.scripts.length) {
  const by = (k) => probe.scripts.filter((s) => s.status === k).length;
  const ok = probe.scripts.filter((s) => s.status === 'ok').map((s) => s.seconds);
  const all = probe.scripts.map((s) => s.seconds);
  L.push('![probe time](bench_probe_time.svg)', '',
    `${probe.scripts.length} real scripts: ${by('ok')} ok, ${by('skipped')} skipped (the engine cannot rebuild the network; the note says why), ${by('failed')} failed. ` +
    `Seconds, all: median ${f2(median(all))}, max ${f2(Math.max(...all))}; ok only: median ${f2(median(ok))}, max ${f2(ok.length ? Math.max(...ok) : null)}.`, '');
}
if (probe?.programs.length) {
  L.push(`Typical programs built by hand, ${quick ? '1 run' : 'median of 5 runs'} each, with the instruments and without them for the same steps:`, '',
    '| program | with s (median) | without s (median) | overhead | steps |', '|---|---|---|---|---|');
  for (const p of probe.programs) L.push(`| ${p.name} | ${f3(p.med)} | ${f3(p.bareMed)} | ${f1(p.overhead)}% | ${p.steps} |`);
  L.push('');
}
if (!probe) L.push('Not measured.', '');
L.push('### Language server (whole process)', '');
if (server?.pull) {
  L.push(`bench/server_bench.mjs over ${server.scripts?.n ?? '?'} real scripts (${server.scripts?.lines ?? '?'} lines), probe off, ${quick ? 8 : 40} keystrokes per script:`, '',
    '| what | median | p90 | max | n |', '|---|---|---|---|---|',
    `| didChange -> fresh diagnostics (didChange + textDocument/diagnostic, no debounce) | ${f2(server.pull.median)} ms | ${f2(server.pull.p90)} ms | ${f2(server.pull.max)} ms | ${server.pull.n} |`);
  if (server.push) L.push(`| didChange -> publishDiagnostics including the debounce (50 ms minimum) | ${f2(server.push.median)} ms | ${f2(server.push.p90)} ms | — | ${server.push.n} |`);
  L.push('');
} else L.push('didChange latency: not measured.', '');
if (hover?.hover_ms?.max != null)
  L.push(`Hover during a probe (scripts/bench_hover.mjs: \`faultline.runProbe\` on ${hover.scripts} real scripts, a hover every 25 ms while it runs): ` +
    `${hover.hovers} hovers, median ${f1(hover.hover_ms.median)} ms, p90 ${f1(hover.hover_ms.p90)} ms, max ${f1(hover.hover_ms.max)} ms; ` +
    `runProbe round trip median ${f2(median(hover.probe_command_ms) / 1000)} s.`, '');
else L.push('Hover during a probe: not measured.', '');

L.push('## Memory', '', '| process | peak RSS |', '|---|---|');
const tvEvalP = timeV('eval_probe'), tvEvalS = timeV('eval_static'), tvProbe = timeV('probe_bench');
if (tvEvalP) L.push(`| faultline eval with the probe, all subjects in one process | ${tvEvalP.rssMB.toFixed(0)} MB |`);
if (tvEvalS) L.push(`| faultline eval --no-probe | ${tvEvalS.rssMB.toFixed(0)} MB |`);
if (tvProbe || probe?.peakMB) L.push(`| probe_bench (every real script and the typical programs) | ${(tvProbe?.rssMB ?? probe.peakMB).toFixed(0)} MB |`);
if (server?.rss) L.push(`| language server after initialize / with ${server.rss.scripts} scripts open / after the edits | ${server.rss.idle.toFixed(0)} / ${server.rss.open.toFixed(0)} / ${server.rss.after.toFixed(0)} MB |`);
L.push('', 'Most of each process is LibTorch\'s shared libraries (docs/server.md).', '');

const corpus = text('rules_corpus.out');
if (corpus) L.push('## Static checks on the generated corpus (bench/rules_corpus.cpp)', '',
  // Its own headings sit under this section's.
  corpus.trim().replace(/^#{1,3} /gm, '### '), '');

const steps = ['eval_probe', 'eval_lsp', 'eval_static', 'parse_bench', 'rules_bench', 'diagnose_bench', 'parse_coverage', 'probe_bench', 'server_bench', 'hover_bench', 'wild_check', 'folder_check', 'rules_corpus'];
const failed = steps.filter((s) => status(s).ran && !status(s).ok);
L.push('## Steps', '', '| step | result | seconds |', '|---|---|---|');
for (const s of steps) {
  const st = status(s);
  L.push(`| ${s} | ${!st.ran ? 'not run' : st.ok ? 'ok' : `failed (exit ${st.rc})`} | ${st.ran ? st.seconds : '—'} |`);
}
if (dirty) L.push('', `Uncommitted tracked files when the run started: ${dirtyFiles.map((f) => `\`${f}\``).join(', ')}.`);
L.push('', 'Reproduce: `scripts/bench` (README, "Benchmarks"); raw outputs are kept in `build-bench/bench-results/`.', '');

writeFileSync(path.join(docsDir, 'BENCHMARKS.md'), L.join('\n'));
if (comparison.length) writeFileSync(path.join(docsDir, 'bench_accuracy.svg'), accuracySvg() + '\n');
if (probe?.scripts.length) writeFileSync(path.join(docsDir, 'bench_probe_time.svg'), probeSvg() + '\n');
console.log(`bench_report: wrote ${path.join(docsDir, 'BENCHMARKS.md')}${failed.length ? `; failed steps: ${failed.join(', ')}` : ''}`);
for (const t of targets) console.log(`  ${t.pass === true ? 'pass' : t.pass === false ? 'MISS' : 'n/a '}  ${t.what}: ${t.measured} (target ${t.goal})`);
