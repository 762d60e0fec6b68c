// A minimal LSP client over a spawned `faultline lsp`, shared by the whole-process benchmarks.
// Content-Length framing, request/response matching, waiting for a document version's publishDiagnostics,
// and null answers to server-to-client requests (workDoneProgress/create) so the server never waits on us.
import { spawn } from 'node:child_process';

export function startServer(binary, name) {
  const server = spawn(binary, ['lsp'], { stdio: ['pipe', 'pipe', 'ignore'] });
  server.on('error', (e) => {
    console.error(`${name}: cannot start ${binary}: ${e.message}`);
    process.exit(2);
  });
  let buffer = Buffer.alloc(0);
  const waiting = new Map(); // id -> resolve
  const pushWaiters = []; // {uri, version, resolve}
  const send = (msg) => {
    const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
    server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  server.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())[1]);
      if (buffer.length < end + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      if (msg.id !== undefined && !msg.method && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg);
        waiting.delete(msg.id);
      } else if (msg.id !== undefined && msg.method) {
        send({ id: msg.id, result: null });
      } else if (msg.method === 'textDocument/publishDiagnostics') {
        for (let i = pushWaiters.length - 1; i >= 0; i--) {
          const w = pushWaiters[i];
          if (w.uri === msg.params.uri && msg.params.version >= w.version) {
            pushWaiters.splice(i, 1);
            w.resolve(msg);
          }
        }
      }
    }
  });
  let nextId = 1;
  const request = (method, params) => {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      send({ id, method, params });
    });
  };
  const notify = (method, params) => send({ method, params });
  const pushed = (uri, version) => new Promise((resolve) => pushWaiters.push({ uri, version, resolve }));
  return { server, request, notify, pushed };
}
