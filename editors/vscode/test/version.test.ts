import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  MIN_SERVER_VERSION,
  compareVersions,
  judgeVersionOutput,
  parseVersion,
  parseVersionOutput,
} from '../src/core/version';

test('parses what `faultline --version` prints', () => {
  assert.deepEqual(parseVersionOutput('faultline 0.1.0\n'), { major: 0, minor: 1, patch: 0 });
  assert.deepEqual(parseVersionOutput('faultline 12.34.56'), { major: 12, minor: 34, patch: 56 });
  assert.deepEqual(parseVersionOutput('faultline 1.2.3-dev+g1a2b3c\n'), { major: 1, minor: 2, patch: 3 });
  // A warning printed before the version line must not hide it.
  assert.deepEqual(parseVersionOutput('warning: something\nfaultline 0.2.0\n'), { major: 0, minor: 2, patch: 0 });
});

test('rejects output of other programs', () => {
  assert.equal(parseVersionOutput('Python 3.11.2'), undefined);
  assert.equal(parseVersionOutput('faultline'), undefined);
  assert.equal(parseVersionOutput('faultline 1.2'), undefined);
  assert.equal(parseVersionOutput('faultlinex 1.2.3'), undefined);
  assert.equal(parseVersionOutput(''), undefined);
});

test('compares numerically, not as text', () => {
  const v = (s: string) => parseVersion(s)!;
  assert.ok(compareVersions(v('0.10.0'), v('0.9.9')) > 0);
  assert.ok(compareVersions(v('1.0.0'), v('0.99.99')) > 0);
  assert.ok(compareVersions(v('0.1.1'), v('0.1.10')) < 0);
  assert.equal(compareVersions(v('2.3.4'), v('2.3.4')), 0);
});

test('judges a server against the minimum', () => {
  assert.equal(judgeVersionOutput(`faultline ${MIN_SERVER_VERSION}`).kind, 'ok');
  assert.equal(judgeVersionOutput('faultline 0.0.9', '0.1.0').kind, 'too-old');
  assert.equal(judgeVersionOutput('faultline 0.2.0', '0.1.0').kind, 'ok');
  const odd = judgeVersionOutput('usage: something else\n');
  assert.equal(odd.kind, 'unrecognized');
  assert.throws(() => judgeVersionOutput('faultline 1.0.0', 'one'));
});

test('the minimum constant is itself a valid version', () => {
  assert.ok(parseVersion(MIN_SERVER_VERSION));
});
