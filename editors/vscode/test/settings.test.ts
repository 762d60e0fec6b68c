import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULTS, disabledChecks, toServerOptions } from '../src/core/settings';

test('unset settings give the documented defaults', () => {
  assert.deepEqual(toServerOptions({}), {
    probe: { enabled: true, budgetSeconds: 3, memoryLimitMB: 1024 },
    checks: { disabled: [] },
    logLevel: 'info',
  });
});

test('every setting reaches the server under its option name', () => {
  const options = toServerOptions({
    'probe.enabled': false,
    'probe.budgetSeconds': 12.5,
    'probe.memoryLimitMB': 2048,
    checks: { FL101: false, FL203: false, FL110: true },
    logLevel: 'debug',
  });
  assert.deepEqual(options, {
    probe: { enabled: false, budgetSeconds: 12.5, memoryLimitMB: 2048 },
    checks: { disabled: ['FL101', 'FL203'] },
    logLevel: 'debug',
  });
});

test('out-of-range numbers are clamped, wrong types fall back to defaults', () => {
  const low = toServerOptions({ 'probe.budgetSeconds': 0, 'probe.memoryLimitMB': 1 });
  assert.equal(low.probe.budgetSeconds, 0.5);
  assert.equal(low.probe.memoryLimitMB, 64);
  const high = toServerOptions({ 'probe.budgetSeconds': 1e9, 'probe.memoryLimitMB': 1e9 });
  assert.equal(high.probe.budgetSeconds, 600);
  assert.equal(high.probe.memoryLimitMB, 65536);
  const wrong = toServerOptions({
    'probe.enabled': 'yes',
    'probe.budgetSeconds': '5',
    'probe.memoryLimitMB': Number.NaN,
    checks: 'FL101',
    logLevel: 'loud',
  });
  assert.deepEqual(wrong, DEFAULTS);
});

test('memory limit is a whole number of MiB', () => {
  assert.equal(toServerOptions({ 'probe.memoryLimitMB': 100.6 }).probe.memoryLimitMB, 101);
});

test('disabled checks: object switches, a plain list, trimmed, deduplicated, sorted', () => {
  assert.deepEqual(disabledChecks({ ' FL2 ': false, FL1: false, FL3: true, FL4: 'off' }), ['FL1', 'FL2']);
  assert.deepEqual(disabledChecks(['FL9', 'FL1', 'FL9', '', 7, null]), ['FL1', 'FL9']);
  assert.deepEqual(disabledChecks(null), []);
  assert.deepEqual(disabledChecks(undefined), []);
});

test('the options survive a JSON round trip unchanged (they travel as JSON-RPC)', () => {
  const options = toServerOptions({ checks: ['FL101'], 'probe.budgetSeconds': 7 });
  assert.deepEqual(JSON.parse(JSON.stringify(options)), options);
});
