// Transcript runner: pipes a .jsonrpc transcript into `faultline lsp` and matches the replies, in the manner
// of clangd's lit tests. Usage: node run.mjs FAULTLINE_BINARY TRANSCRIPT FIXTURES_DIR
//
// Transcript lines:
//   # comment
//   --> {json}         a message to send (framed with Content-Length); ${file:NAME} is replaced by the JSON
//                      string of fixtures/NAME's text, ${uri:NAME} by its file:// uri
//   --> raw <text>     bytes sent as they are (\r and \n escapes allowed): malformed framing
//   <-- {json}         wait for a message that matches: objects match when every expected key matches,
//                      arrays element-wise with the same length, scalars by equality; messages in between
//                      are skipped (as FileCheck's CHECK does)
//   <-- ! {json}       no message received so far after the previous match may match this one (CHECK-NOT)
//   exit: N            close stdin and expect exit code N
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [binary, transcriptPath, fixtures] = process.argv.slice(2);
const TIMEOUT_MS = 60000;

function substitute(text) {
  return text
    .replace(/\$\{file:([^}]+)\}/g, (_, name) => JSON.stringify(readFileSync(path.join(fixtures, name), 'utf8')))
    .replace(/\$\{uri:([^}]+)\}/g, (_, name) => JSON.stringify('file://' + path.resolve(fixtures, name)));
}

function matches(expected, actual) {
  if (expected === null || typeof expected !== 'object') return expected === actual;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(e, actual[i]));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.keys(expected).every((k) => k in actual && matches(expected[k], actual[k]));
}

const steps = readFileSync(transcriptPath, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const server = spawn(binary, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
const received = [];
let buffer = Buffer.alloc(0);
let waiter = null;
server.stdout.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) break;
    const header = buffer.subarray(0, end).toString();
    const m = /Content-Length: (\d+)/i.exec(header);
    if (!m) throw new Error('bad header from server: ' + header);
    const length = Number(m[1]);
    if (buffer.length < end + 4 + length) break;
    received.push(JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString()));
    buffer = buffer.subarray(end + 4 + length);
  }
  if (waiter) waiter();
});
const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));

function send(bytes) {
  server.stdin.write(bytes);
}

let cursor = 0; // first message not yet consumed by a match
async function expect(pattern, line) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    for (; cursor < received.length; cursor++) {
      if (matches(pattern, received[cursor])) {
        cursor++;
        return;
      }
      // Requests from the server (progress tokens, refresh) get an empty success so it can go on.
      const msg = received[cursor];
      if (msg.method && msg.id !== undefined && !msg.answered) {
        msg.answered = true;
        const body = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: null });
        send(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      }
    }
    if (Date.now() > deadline) {
      const seen = received.map((m) => JSON.stringify(m).slice(0, 300)).join('\n  ');
      throw new Error(`no message matched\n  ${line}\nreceived:\n  ${seen}`);
    }
    await new Promise((resolve) => {
      waiter = resolve;
      setTimeout(resolve, 50);
    });
  }
}

let failed = false;
try {
  let lastMatch = 0;
  for (const step of steps) {
    if (step.startsWith('--> raw ')) {
      send(step.slice(8).replace(/\\r/g, '\r').replace(/\\n/g, '\n'));
    } else if (step.startsWith('--> ')) {
      const body = JSON.stringify(JSON.parse(substitute(step.slice(4))));
      send(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    } else if (step.startsWith('<-- ! ')) {
      const pattern = JSON.parse(substitute(step.slice(6)));
      const hit = received.slice(lastMatch).find((m) => matches(pattern, m));
      if (hit) throw new Error(`unexpected message matched\n  ${step}\n  ${JSON.stringify(hit).slice(0, 300)}`);
    } else if (step.startsWith('<-- ')) {
      await expect(JSON.parse(substitute(step.slice(4))), step);
      lastMatch = cursor;
    } else if (step.startsWith('exit: ')) {
      server.stdin.end();
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_MS))]);
      if (String(code) !== step.slice(6).trim()) throw new Error(`exit code ${code}, expected ${step.slice(6)}`);
    } else {
      throw new Error('unknown transcript line: ' + step);
    }
  }
} catch (e) {
  failed = true;
  console.error(`FAIL ${path.basename(transcriptPath)}: ${e.message}`);
}
if (server.exitCode === null) server.kill('SIGKILL');
if (!failed) console.log(`PASS ${path.basename(transcriptPath)}`);
process.exit(failed ? 1 : 0);
