import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_RESTARTS, RESTART_WINDOW_MS, RestartBudget } from '../src/core/restart';

test('restarts at most MAX_RESTARTS times within the window', () => {
  const budget = new RestartBudget();
  for (let i = 0; i < MAX_RESTARTS; i++) {
    assert.equal(budget.allowRestart(i * 1000), true, `crash ${i + 1}`);
  }
  assert.equal(budget.allowRestart(MAX_RESTARTS * 1000), false);
});

test('crashes older than the window stop counting', () => {
  const budget = new RestartBudget(2, 1000);
  assert.equal(budget.allowRestart(0), true);
  assert.equal(budget.allowRestart(10), true);
  assert.equal(budget.allowRestart(20), false);
  assert.equal(budget.allowRestart(1015), true, 'the crashes at 0 and 10 have left the window');
});

test('a crash now and then never exhausts the budget', () => {
  const budget = new RestartBudget();
  for (let i = 0; i < 50; i++) {
    assert.equal(budget.allowRestart(i * (RESTART_WINDOW_MS / 2)), true);
  }
});

test('a manual restart forgives earlier crashes', () => {
  const budget = new RestartBudget(1, 1000);
  assert.equal(budget.allowRestart(0), true);
  assert.equal(budget.allowRestart(1), false);
  budget.reset();
  assert.equal(budget.allowRestart(2), true);
});
