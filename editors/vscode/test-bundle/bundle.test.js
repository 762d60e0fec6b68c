// Runs the real bundle (dist/extension.js, with vscode-languageclient inside) in plain Node against a stub
// `vscode` and a fake server: what VS Code itself would exercise, short of VS Code (which cannot be
// downloaded in CI). Run after `npm run bundle`.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { after, before, beforeEach, test } = require('node:test');

const { createStub } = require('./vscode-stub');

const bundlePath = path.resolve(__dirname, '..', 'dist', 'extension.js');
let stub;
const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  return request === 'vscode' ? stub.vscode : originalLoad.call(this, request, ...rest);
};

let dir;
let fakeBinary;
let logFile;
const savedEnv = { ...process.env };

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bundle-'));
  fakeBinary = path.join(dir, 'faultline');
  fs.writeFileSync(fakeBinary, `#!/bin/sh\nexec "${process.execPath}" "${path.join(__dirname, 'fake-server.js')}" "$@"\n`);
  fs.chmodSync(fakeBinary, 0o755);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  Module._load = originalLoad;
});

beforeEach(() => {
  process.env = { ...savedEnv };
  logFile = path.join(dir, `log-${Date.now()}-${Math.random()}.jsonl`);
  process.env.FAKE_LOG = logFile;
});

function load(options) {
  stub = createStub(options);
  delete require.cache[bundlePath];
  return require(bundlePath);
}

function received() {
  if (!fs.existsSync(logFile)) return [];
  return fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

async function waitFor(what, predicate, timeoutMs = 10000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const value = predicate();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}; server received ${JSON.stringify(received().map((r) => r.message.method))}`);
}

const context = () => ({ subscriptions: [] });
const errors = () => stub.events.filter((e) => e.kind === 'error');

test('the bundle registers the three palette commands', async () => {
  const extension = load({ settings: { path: '/nonexistent/faultline' } });
  await extension.activate(context());
  const ids = stub.events.filter((e) => e.kind === 'command').map((e) => e.id).sort();
  assert.deepEqual(ids, ['faultline.editor.runProbe', 'faultline.editor.showTrace', 'faultline.restartServer']);
  await extension.deactivate();
});

test('a missing binary: an error whose "Set faultline.path" action opens that setting', async () => {
  const extension = load({ settings: { path: '/nonexistent/faultline' }, answer: () => 'Set faultline.path' });
  await extension.activate(context());
  const [error] = errors();
  assert.match(error.message, /'\/nonexistent\/faultline' was not found/);
  assert.deepEqual(error.actions, ['Set faultline.path', 'Show output']);
  assert.deepEqual(
    stub.events.filter((e) => e.kind === 'execute'),
    [{ kind: 'execute', id: 'workbench.action.openSettings', args: ['faultline.path'] }],
  );
  assert.deepEqual(received(), [], 'nothing was started');
  await extension.deactivate();
});

test('a binary too old, or not faultline at all, is not started', async () => {
  process.env.FAKE_VERSION = 'faultline 0.0.9';
  let extension = load({ settings: { path: fakeBinary } });
  await extension.activate(context());
  assert.match(errors()[0].message, /is version 0\.0\.9; this extension needs 0\.1\.0 or later/);
  assert.deepEqual(errors()[0].actions, ['Set faultline.path', 'Show output']);
  await extension.deactivate();

  process.env.FAKE_VERSION = 'Python 3.11.2';
  extension = load({ settings: { path: fakeBinary } });
  await extension.activate(context());
  assert.match(errors()[0].message, /printed 'Python 3\.11\.2', not 'faultline X\.Y\.Z'/);
  await extension.deactivate();
  assert.deepEqual(received(), [], 'nothing was started');
});

test('`faultline lsp` gets the settings as initializationOptions, then on every change', async () => {
  const settings = { path: fakeBinary, 'probe.budgetSeconds': 7, checks: { FL101: false }, logLevel: 'debug' };
  const extension = load({ settings });
  await extension.activate(context());
  assert.deepEqual(errors(), []);
  const init = await waitFor('initialize', () => received().find((r) => r.message.method === 'initialize'));
  assert.deepEqual(init.argv, ['lsp']);
  assert.deepEqual(init.message.params.initializationOptions, {
    probe: { enabled: true, budgetSeconds: 7, memoryLimitMB: 1024 },
    checks: { disabled: ['FL101'] },
    logLevel: 'debug',
  });

  settings['probe.enabled'] = false;
  await stub.changeConfiguration('faultline.probe.enabled');
  const change = await waitFor('didChangeConfiguration', () =>
    received().find((r) => r.message.method === 'workspace/didChangeConfiguration'),
  );
  assert.deepEqual(change.message.params.settings.probe, { enabled: false, budgetSeconds: 7, memoryLimitMB: 1024 });

  await extension.deactivate();
  // `exit` is a notification: deactivate() does not wait for the server to have read it.
  await waitFor('shutdown then exit', () => received().map((r) => r.message.method).slice(-2).join() === 'shutdown,exit');
});

test('a new faultline.path restarts the server', async () => {
  const settings = { path: fakeBinary };
  const extension = load({ settings });
  await extension.activate(context());
  await waitFor('first initialize', () => received().some((r) => r.message.method === 'initialize'));
  settings.path = `${dir}/../${path.basename(dir)}/faultline`;
  await stub.changeConfiguration('faultline.path');
  await waitFor('second initialize', () => received().filter((r) => r.message.method === 'initialize').length === 2);
  const methods = received().map((r) => r.message.method);
  assert.ok(methods.indexOf('shutdown') < methods.lastIndexOf('initialize'), 'the old server was shut down before the new one started');
  await extension.deactivate();
});

test('in an untrusted workspace a workspace faultline.path is ignored', async () => {
  process.env.PATH = `${dir}${path.delimiter}${process.env.PATH}`;
  const extension = load({ settings: { path: '/tmp/evil/faultline' }, isTrusted: false });
  await extension.activate(context());
  assert.deepEqual(errors(), []);
  await waitFor('initialize from the faultline on PATH', () => received().some((r) => r.message.method === 'initialize'));
  assert.ok(stub.events.some((e) => e.kind === 'log' && e.line === `faultline 0.1.0 at ${fakeBinary}`));
  await extension.deactivate();
});

test('a server that keeps crashing is restarted 5 times, then the user is told', async () => {
  process.env.FAKE_CRASH = '1';
  const extension = load({ settings: { path: fakeBinary } });
  await extension.activate(context());
  await waitFor('the give-up message', () => errors().find((e) => /stopped 6 times in 3 minutes/.test(e.message)), 20000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const starts = received().filter((r) => r.message.method === 'initialize').length;
  assert.equal(starts, 6, 'one start and five restarts');
  await extension.deactivate();
});

// The real server, when the build gives one (ctest sets FAULTLINE_BINARY): it must accept the initialize
// request of vscode-languageclient 9 with the extension's initializationOptions, and answer the palette's
// executeCommand. The stub opens no documents, so the trace of an unknown document is null, and the
// extension says there is none.
const realServer = process.env.FAULTLINE_BINARY;
test('the real `faultline lsp` starts from the extension and answers Show probe trace', { skip: realServer ? false : 'FAULTLINE_BINARY not set' }, async () => {
  const activeTextEditor = { document: { languageId: 'python', uri: { toString: () => 'file:///tmp/not-opened.py', scheme: 'file', fsPath: '/tmp/not-opened.py' } } };
  const extension = load({ settings: { path: realServer, 'trace.server': 'messages', 'probe.enabled': false }, activeTextEditor });
  await extension.activate(context());
  assert.deepEqual(errors(), []);
  await waitFor('the initialize reply in the trace', () => stub.events.some((e) => e.kind === 'log' && /Received response 'initialize/.test(e.line)));
  const showTrace = stub.commands.get('faultline.editor.showTrace');
  await showTrace();
  await waitFor('the no-trace message', () => stub.events.find((e) => e.kind === 'info' && /no probe has run on this document yet/.test(e.message)));
  assert.deepEqual(errors(), []);
  await extension.deactivate();
});
