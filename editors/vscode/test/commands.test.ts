import assert from 'node:assert/strict';
import { test } from 'node:test';

import { documentCommandArguments, traceDocumentText } from '../src/core/commands';

test('server commands name the document by URI', () => {
  assert.deepEqual(documentCommandArguments('file:///tmp/train.py'), [{ uri: 'file:///tmp/train.py' }]);
});

test('a trace is shown as indented JSON whether it arrives as an object or as text', () => {
  const trace = { status: 'ok', epochs: [{ loss: 2.3 }] };
  const expected = JSON.stringify(trace, null, 2);
  assert.equal(traceDocumentText(trace), expected);
  assert.equal(traceDocumentText(JSON.stringify(trace)), expected);
  assert.equal(traceDocumentText('no probe has run yet'), 'no probe has run yet');
  assert.equal(traceDocumentText(null), 'null');
  assert.equal(traceDocumentText(undefined), 'null');
});
