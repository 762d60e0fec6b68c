// Whole-process benchmark of `faultline lsp`: latency from a didChange to fresh static diagnostics, and the
// server's resident memory after opening every script.
//
//   node bench/server_bench.mjs FAULTLINE_BINARY [SCRIPTS_DIR] [EDITS_PER_SCRIPT]
//
// SCRIPTS_DIR holds one folder per script with a buggy.py (default /work/shared/benchmarks/real). Two
// latencies per edit:
//   pull: didChange then textDocument/diagnostic, which starts the analysis at once on the server's analysis
//         pool and answers when it is done: the whole path (edit applied, incremental re-parse, extraction,
//         static checks, the hop to the pool and back, conversion, framing) without any debounce;
//   push: didChange to the textDocument/publishDiagnostics of the new version, which includes the debounce.
// The probe is disabled: this measures the editor-facing path; the worker is a separate process.
import { startServer } from './lsp_client.mjs';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const [binary, dir = '/work/shared/benchmarks/real', editsArg = '40'] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node server_bench.mjs FAULTLINE_BINARY [SCRIPTS_DIR] [EDITS_PER_SCRIPT]');
  process.exit(2);
}
const editsPerScript = Number(editsArg);

const { server, request, notify, pushed } = startServer(binary, 'server_bench');

function rssMB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
};

const scripts = readdirSync(dir)
  .map((d) => path.join(dir, d, 'buggy.py'))
  .filter((f) => existsSync(f))
  .sort();

await request('initialize', { processId: process.pid, capabilities: {}, initializationOptions: { probe: { enabled: false } } });
notify('initialized', {});
const rssIdle = rssMB(server.pid);

const docs = [];
for (const file of scripts) {
  const uri = 'file://' + file;
  const text = readFileSync(file, 'utf8');
  const done = pushed(uri, 1);
  notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  const msg = await done;
  docs.push({ uri, text, lines: text.split('\n').length, version: 1, findings: msg.params.diagnostics.length });
}
const rssOpen = rssMB(server.pid);

const pull = [];
const push = [];
for (const doc of docs) {
  for (let i = 0; i < editsPerScript; i++) {
    // Alternately insert and delete one character at the end of the last line: a keystroke that changes the
    // text but not the program, so every run does the same work.
    doc.version++;
    const line = doc.lines - 1;
    const change =
      i % 2 === 0
        ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '#' }
        : { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: '' };
    const t0 = performance.now();
    const done = pushed(doc.uri, doc.version);
    notify('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: [change] });
    if (i % 4 < 2) {
      await request('textDocument/diagnostic', { textDocument: { uri: doc.uri } });
      pull.push(performance.now() - t0);
      await done;
    } else {
      await done;
      push.push(performance.now() - t0);
    }
  }
}
const rssAfter = rssMB(server.pid);
await request('shutdown', null);
notify('exit', null);
await new Promise((r) => server.on('exit', r));

const f = (x) => x.toFixed(2);
console.log(`scripts: ${docs.length} (${docs.reduce((a, d) => a + d.lines, 0)} lines), findings: ${docs.reduce((a, d) => a + d.findings, 0)}`);
console.log(`didChange -> diagnostics, no debounce (pull): median ${f(median(pull))} ms, p90 ${f(pct(pull, 0.9))} ms, max ${f(Math.max(...pull))} ms (n=${pull.length})`);
console.log(`didChange -> publishDiagnostics incl. debounce (push): median ${f(median(push))} ms, p90 ${f(pct(push, 0.9))} ms (n=${push.length})`);
console.log(`server RSS: ${f(rssIdle)} MB after initialize, ${f(rssOpen)} MB with all ${docs.length} scripts open, ${f(rssAfter)} MB after the edits`);
