// The editor and the command line report the same findings. Each fixture is checked by `faultline check
// --format json` and, in one language-server session, opened, probed (faultline.runProbe answers when the
// worker's whole pipeline is done) and pulled (textDocument/diagnostic); the two diagnostic lists must be
// equal: codes, ranges, severities, messages, confidences, fix edits, `validated` and measured effects.
//
// The probe budget is generous on both sides so that the step limits, not the wall clock of a loaded CI
// machine, decide how far each probe, fix validation and what-if run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import protocol from 'vscode-languageserver-protocol/node.js';
import { start, root, binary } from './lsp_server.mjs';

const {
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DocumentDiagnosticRequest,
  ExecuteCommandRequest,
  ShutdownRequest,
  ExitNotification,
} = protocol;

const BUDGET_SECONDS = 20;

// Static-only, probe-only, validated fixes, what-if findings, classifier hints, clean scripts; Keras,
// tf.keras, PyTorch and TF1.
const fixtures = [
  'examples/binary_softmax.py',
  'tests/fixtures/fixes/mse_softmax.py',
  'tests/fixtures/fixes/one_epoch.py',
  'tests/fixtures/fixes/sigmoid_hidden_sgd.py',
  'tests/fixtures/fixes/lr_too_high.py',
  'tests/fixtures/fixes/torch_double_softmax.py',
  'tests/fixtures/fixes/two_faults.py',
  'tests/fixtures/fixes/zeros_init.py',
  'tests/fixtures/fixes/healthy.py',
  'tests/fixtures/whatif/slow_rmsprop_line.py',
  'tests/fixtures/rules/ok_torch_mlp.py',
  'tests/fixtures/parser/tf1_softmax.py',
].map((f) => path.join(root, f));

test('the language server publishes what `faultline check` reports, fixture by fixture', { timeout: 900_000 }, async () => {
  // Exit code 1 means findings, which most fixtures have.
  const checked = spawnSync(binary, ['check', '--format', 'json', '--budget', String(BUDGET_SECONDS), ...fixtures], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    maxBuffer: 64 << 20,
  });
  assert.ok([0, 1].includes(checked.status), `faultline check failed: ${checked.stderr}`);
  const cli = JSON.parse(checked.stdout.toString());
  assert.equal(cli.files.length, fixtures.length);

  const { connection, exited } = start();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true } } },
    initializationOptions: { probe: { enabled: true, budgetSeconds: BUDGET_SECONDS } },
  });
  await connection.sendNotification(InitializedNotification.type, {});

  let withFixes = 0;
  let validated = 0;
  let whatif = 0;
  for (const [i, file] of fixtures.entries()) {
    const uri = pathToFileURL(file).href;
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(file, 'utf8') },
    });
    await connection.sendRequest(ExecuteCommandRequest.type, { command: 'faultline.runProbe', arguments: [uri] });
    const pulled = await connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    const expected = cli.files[i].diagnostics;
    assert.deepStrictEqual(pulled.items, expected, `${path.relative(root, file)}: editor and command line differ`);
    await connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });

    for (const d of expected) {
      const fixes = d.data?.fixes ?? [];
      if (fixes.length) withFixes++;
      validated += fixes.filter((f) => f.validated && f.effect).length;
      if (/^FL3/.test(d.code)) whatif++;
    }
  }
  // The comparison above only means something if the fixtures exercise the probe's part of the pipeline.
  assert.ok(withFixes >= 8, `only ${withFixes} diagnostics with fixes`);
  assert.ok(validated >= 5, `only ${validated} validated fixes with a measured effect`);
  assert.ok(whatif >= 2, `only ${whatif} what-if findings`);

  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  assert.equal(await exited, 0);
});
