// The manifest (package.json) and the code must agree: a renamed setting or command would otherwise only
// show up as a silently ignored option in a real VS Code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { DEFAULTS, SERVER_SETTING_KEYS, BUDGET_SECONDS_RANGE, MEMORY_LIMIT_MB_RANGE } from '../src/core/settings';

// Compiled to out/test/, so the extension folder is two levels up.
const extensionDir = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = manifest.contributes.configuration.properties;

test('every server setting is declared, with the defaults and limits the code uses', () => {
  for (const key of SERVER_SETTING_KEYS) {
    assert.ok(properties[`faultline.${key}`], `faultline.${key} is declared`);
  }
  assert.equal(properties['faultline.probe.enabled'].default, DEFAULTS.probe.enabled);
  assert.equal(properties['faultline.probe.budgetSeconds'].default, DEFAULTS.probe.budgetSeconds);
  assert.equal(properties['faultline.probe.budgetSeconds'].minimum, BUDGET_SECONDS_RANGE[0]);
  assert.equal(properties['faultline.probe.budgetSeconds'].maximum, BUDGET_SECONDS_RANGE[1]);
  assert.equal(properties['faultline.probe.memoryLimitMB'].default, DEFAULTS.probe.memoryLimitMB);
  assert.equal(properties['faultline.probe.memoryLimitMB'].minimum, MEMORY_LIMIT_MB_RANGE[0]);
  assert.equal(properties['faultline.probe.memoryLimitMB'].maximum, MEMORY_LIMIT_MB_RANGE[1]);
  assert.deepEqual(properties['faultline.logLevel'].enum, ['error', 'warning', 'info', 'debug']);
  assert.equal(properties['faultline.logLevel'].default, DEFAULTS.logLevel);
});

test('faultline.path is machine-overridable and defaults to the name on PATH', () => {
  assert.equal(properties['faultline.path'].scope, 'machine-overridable');
  assert.equal(properties['faultline.path'].default, 'faultline');
});

test('faultline.trace.server has the values vscode-languageclient reads', () => {
  assert.deepEqual(properties['faultline.trace.server'].enum, ['off', 'messages', 'verbose']);
});

test('the extension activates on Python, targets VS Code 1.82 and the languageclient 9 line', () => {
  assert.deepEqual(manifest.activationEvents, ['onLanguage:python']);
  assert.equal(manifest.engines.vscode, '^1.82.0');
  assert.match(manifest.dependencies['vscode-languageclient'], /^\^9\./);
  assert.equal(manifest.main, './dist/extension.js');
});

test('the three commands are contributed and registered under the same ids', () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  const source = fs.readFileSync(path.join(extensionDir, 'src', 'extension.ts'), 'utf8');
  const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(contributed, registered);
  const titles = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
  assert.deepEqual(titles.sort(), ['faultline: Restart server', 'faultline: Run probe', 'faultline: Show probe trace']);
});

test('untrusted workspaces are supported and the manifest says why', () => {
  const trust = manifest.capabilities.untrustedWorkspaces;
  assert.equal(trust.supported, true);
  assert.match(trust.description, /never executes your Python/);
});

test('the pure logic does not import vscode', () => {
  const coreDir = path.join(extensionDir, 'src', 'core');
  for (const file of fs.readdirSync(coreDir)) {
    const text = fs.readFileSync(path.join(coreDir, file), 'utf8');
    assert.doesNotMatch(text, /from ['"]vscode['"]|require\(['"]vscode['"]\)/, file);
  }
});
