// The real `faultline lsp` as a child process with a vscode-languageserver-protocol connection, and helpers
// the client tests share.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protocol from 'vscode-languageserver-protocol/node.js';

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter, PublishDiagnosticsNotification, WorkDoneProgressCreateRequest } =
  protocol;

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const binary = process.env.FAULTLINE_BINARY ?? path.join(root, 'build/cli/faultline');

export function start() {
  assert.ok(existsSync(binary), `faultline binary not found at ${binary} (set FAULTLINE_BINARY)`);
  const child = spawn(binary, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const diagnostics = []; // every publishDiagnostics, in order
  const progress = [];
  let wake = () => {};
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.push(p);
    wake();
  });
  connection.onNotification('$/progress', (p) => {
    progress.push(p);
    wake();
  });
  connection.onRequest(WorkDoneProgressCreateRequest.type, () => null);
  connection.listen();
  const until = async (predicate, what, ms = 30000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = predicate();
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nserver log:\n${stderr.slice(-3000)}`);
      await new Promise((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  return { child, connection, exited, diagnostics, progress, until };
}

// Applies LSP TextEdits (UTF-16 positions, which is what JS string indexes count) to a text.
export function applyEdits(text, edits) {
  const offset = (pos) => {
    const lines = text.split('\n');
    let o = 0;
    for (let i = 0; i < pos.line; i++) o += lines[i].length + 1;
    return o + pos.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of sorted) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}
