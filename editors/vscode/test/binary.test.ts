import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

import {
  LookupEnv,
  currentEnv,
  installDirs,
  isExecutableFile,
  notFoundMessage,
  queryVersion,
  resolveExecutable,
} from '../src/core/binary';

const posix = process.platform !== 'win32';
let root: string;
let binA: string;
let binB: string;

function writeExecutable(file: string, body: string): void {
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(file, 0o755);
}

// Only files under the test's own folder exist: a faultline installed on this machine (/usr/bin) must not
// change the answers.
function env(PATH: string, overrides: Partial<LookupEnv> = {}): LookupEnv {
  return {
    ...currentEnv(),
    PATH,
    homedir: root,
    isExecutableFile: (f) => f.startsWith(root) && isExecutableFile(f),
    ...overrides,
  };
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-binary-'));
  binA = path.join(root, 'a');
  binB = path.join(root, 'b');
  fs.mkdirSync(binA);
  fs.mkdirSync(binB);
  writeExecutable(path.join(binB, 'faultline'), 'echo "faultline 0.3.1"');
  // Present on PATH before the real one but not executable: a shell skips it, so must the lookup.
  fs.writeFileSync(path.join(binA, 'faultline'), 'not a program');
  fs.chmodSync(path.join(binA, 'faultline'), 0o644);
  fs.mkdirSync(path.join(root, 'dir-named-faultline', 'faultline'), { recursive: true });
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

test('a bare name is found on PATH, skipping non-executable files and directories', { skip: !posix }, () => {
  const PATH = [binA, path.join(root, 'dir-named-faultline'), binB].join(':');
  assert.equal(resolveExecutable('faultline', env(PATH)), path.join(binB, 'faultline'));
});

test('the first match on PATH wins', { skip: !posix }, () => {
  const other = path.join(root, 'c');
  fs.mkdirSync(other, { recursive: true });
  writeExecutable(path.join(other, 'faultline'), 'echo "faultline 9.9.9"');
  assert.equal(resolveExecutable('faultline', env(`${other}:${binB}`)), path.join(other, 'faultline'));
});

test('missing everywhere, empty PATH, empty setting: undefined', { skip: !posix }, () => {
  assert.equal(resolveExecutable('faultline', env(binA)), undefined);
  assert.equal(resolveExecutable('faultline', env('')), undefined);
  assert.equal(resolveExecutable('faultline', env(':::')), undefined);
  assert.equal(resolveExecutable('faultline', { ...env(''), PATH: undefined }), undefined);
  assert.equal(resolveExecutable('   ', env(binB)), undefined);
});

test('not on PATH: the install folders (~/.local/bin, /usr/local/bin, /usr/bin), after PATH', { skip: !posix }, () => {
  const local = path.join(root, '.local', 'bin');
  fs.mkdirSync(local, { recursive: true });
  writeExecutable(path.join(local, 'faultline'), 'echo "faultline 0.3.1"');
  try {
    assert.deepEqual(installDirs(env('')), [local, '/usr/local/bin', '/usr/bin']);
    assert.equal(resolveExecutable('faultline', env(binA)), path.join(local, 'faultline'));
    assert.equal(resolveExecutable('faultline', env(binB)), path.join(binB, 'faultline'));
  } finally {
    fs.rmSync(path.join(root, '.local'), { recursive: true, force: true });
  }
  const debian = env('', { isExecutableFile: (f) => f === '/usr/bin/faultline' });
  assert.equal(resolveExecutable('faultline', debian), '/usr/bin/faultline');
  // A path setting is never looked for elsewhere.
  assert.equal(resolveExecutable('/opt/faultline/bin/faultline', debian), undefined);
});

test('the not-found message says where it looked and how to install', () => {
  const message = notFoundMessage('faultline', env('', { platform: 'linux' }), '0.1.0');
  for (const part of ['on PATH', '.local/bin', '/usr/bin', 'scripts/install', '.deb', 'faultline.path', '0.1.0']) {
    assert.ok(message.includes(part), `${part} in: ${message}`);
  }
  assert.ok(notFoundMessage('./bin/faultline', env(''), '0.1.0').includes('at that path'));
});

test('a path is used as it is: absolute, relative to the workspace, or under ~', { skip: !posix }, () => {
  const file = path.join(binB, 'faultline');
  assert.equal(resolveExecutable(file, env('')), file);
  assert.equal(resolveExecutable('b/faultline', env(''), root), file);
  assert.equal(resolveExecutable('./b/faultline', env(''), root), file);
  assert.equal(resolveExecutable('~/b/faultline', env('')), file);
  // A path is never searched on PATH.
  assert.equal(resolveExecutable('x/faultline', env(binB), root), undefined);
  assert.equal(resolveExecutable(path.join(binA, 'faultline'), env(binB)), undefined);
});

test('Windows: PATHEXT extensions are tried and ; separates PATH', () => {
  const existing = new Set(['C:\\tools\\faultline.EXE', 'D:\\bin\\faultline.cmd']);
  const winEnv: LookupEnv = {
    platform: 'win32',
    PATH: 'C:\\empty;C:\\tools',
    PATHEXT: '.COM;.EXE',
    homedir: 'C:\\Users\\me',
    isExecutableFile: (f) => existing.has(f),
  };
  assert.equal(resolveExecutable('faultline', winEnv), 'C:\\tools\\faultline.EXE');
  assert.equal(resolveExecutable('D:\\bin\\faultline.cmd', winEnv), 'D:\\bin\\faultline.cmd');
  // A path without an extension gets the PATHEXT ones, as cmd.exe does.
  const cmdEnv = { ...winEnv, PATHEXT: '.EXE;.cmd' };
  assert.equal(resolveExecutable('D:\\bin\\faultline', cmdEnv), 'D:\\bin\\faultline.cmd');
  assert.equal(resolveExecutable('~\\faultline', winEnv), undefined);
});

test('isExecutableFile tells programs from plain files and folders', { skip: !posix }, () => {
  assert.equal(isExecutableFile(path.join(binB, 'faultline')), true);
  assert.equal(isExecutableFile(path.join(binA, 'faultline')), false);
  assert.equal(isExecutableFile(binA), false);
  assert.equal(isExecutableFile(path.join(root, 'nothing-here')), false);
});

test('queryVersion returns what the binary prints', { skip: !posix }, async () => {
  assert.equal(await queryVersion(path.join(binB, 'faultline')), 'faultline 0.3.1\n');
});

test('queryVersion rejects a failing, missing or hanging binary with the reason', { skip: !posix }, async () => {
  const failing = path.join(root, 'failing');
  writeExecutable(failing, 'echo "unknown option --version" >&2; exit 2');
  await assert.rejects(queryVersion(failing), /unknown option --version/);
  await assert.rejects(queryVersion(path.join(root, 'does-not-exist')), /--version' failed/);
  const hanging = path.join(root, 'hanging');
  writeExecutable(hanging, 'exec sleep 30');
  const started = Date.now();
  await assert.rejects(queryVersion(hanging, 300), /--version' failed/);
  assert.ok(Date.now() - started < 5000, 'the timeout ends the wait');
});
