// A stand-in for `faultline` in the bundle tests: prints a version, or speaks just enough LSP over stdio
// to be started, configured and stopped, and records every message it receives (one JSON per line) in
// $FAKE_LOG. FAKE_VERSION changes the version line; FAKE_CRASH=1 exits right after `initialized`.
'use strict';
const fs = require('node:fs');

if (process.argv.includes('--version')) {
  process.stdout.write(`${process.env.FAKE_VERSION ?? 'faultline 0.1.0'}\n`);
  process.exit(0);
}

const record = (message) => fs.appendFileSync(process.env.FAKE_LOG, `${JSON.stringify({ argv: process.argv.slice(2), message })}\n`);
const send = (message) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
  process.stdout.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
};

let buffer = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
    buffer = buffer.subarray(headerEnd + 4 + length);
    record(message);
    if (message.method === 'initialize') {
      send({
        id: message.id,
        result: {
          capabilities: {
            textDocumentSync: 2,
            executeCommandProvider: { commands: ['faultline.runProbe', 'faultline.showTrace'] },
          },
        },
      });
    } else if (message.method === 'initialized' && process.env.FAKE_CRASH === '1') {
      process.exit(3);
    } else if (message.method === 'workspace/executeCommand') {
      send({ id: message.id, result: { command: message.params.command, epochs: [{ loss: 0.5 }] } });
    } else if (message.method === 'shutdown') {
      send({ id: message.id, result: null });
    } else if (message.method === 'exit') {
      process.exit(0);
    } else if (message.id !== undefined && message.method !== undefined) {
      send({ id: message.id, error: { code: -32601, message: 'not in the fake' } });
    }
  }
});
