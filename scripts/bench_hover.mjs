// Hover latency while a probe runs (issue 7: under 50 ms), measured on the whole `faultline lsp` process.
//
//   node scripts/bench_hover.mjs FAULTLINE_BINARY [SCRIPTS_DIR] [MAX_SCRIPTS]
//
// For each buggy.py under SCRIPTS_DIR: open it, wait for the static diagnostics, start a probe with the
// `faultline.runProbe` command, and hover on the first flagged range (or the first line) every 25 ms until the
// probe answers. Only hovers sent and answered while the probe was still running count. Prints one JSON object.
import { startServer } from '../bench/lsp_client.mjs';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const [binary, dir = '/work/shared/benchmarks/real', maxArg = '1000'] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node bench_hover.mjs FAULTLINE_BINARY [SCRIPTS_DIR] [MAX_SCRIPTS]');
  process.exit(2);
}

const { server, request, notify, pushed } = startServer(binary, 'bench_hover');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const scripts = readdirSync(dir)
  .map((d) => path.join(dir, d, 'buggy.py'))
  .filter((f) => existsSync(f))
  .sort()
  .slice(0, Number(maxArg));

await request('initialize', {
  processId: process.pid,
  capabilities: { textDocument: { hover: { contentFormat: ['markdown'] } } },
  initializationOptions: { probe: { enabled: true } },
});
notify('initialized', {});

const hover = [];
const probe = [];
let probesWithoutHover = 0;
for (const file of scripts) {
  const uri = 'file://' + file;
  const opened = pushed(uri, 1);
  notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(file, 'utf8') } });
  const first = await opened;
  const position = first.params.diagnostics[0]?.range.start ?? { line: 0, character: 0 };
  let running = true;
  const p0 = performance.now();
  const probeDone = request('workspace/executeCommand', { command: 'faultline.runProbe', arguments: [uri] }).then(() => {
    running = false;
    probe.push(performance.now() - p0);
  });
  let counted = 0;
  while (running) {
    const t0 = performance.now();
    await request('textDocument/hover', { textDocument: { uri }, position });
    const ms = performance.now() - t0;
    if (running) {
      hover.push(ms);
      ++counted;
    }
    await sleep(25);
  }
  await probeDone;
  if (!counted) probesWithoutHover++;
  notify('textDocument/didClose', { textDocument: { uri } });
}
await request('shutdown', null);
notify('exit', null);
await new Promise((r) => server.on('exit', r));

const sorted = [...hover].sort((a, b) => a - b);
const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : null);
console.log(
  JSON.stringify({
    scripts: scripts.length,
    hovers: hover.length,
    probes_too_short_to_hover: probesWithoutHover,
    hover_ms: { median: at(0.5), p90: at(0.9), max: sorted.length ? sorted[sorted.length - 1] : null },
    probe_command_ms: probe,
  }),
);
