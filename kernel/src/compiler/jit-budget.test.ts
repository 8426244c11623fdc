import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raisedOptimizationThreshold } from './jit-budget.js';

test('work run with the raised threshold answers what it returns, and its error passes through', () => {
  assert.deepEqual(raisedOptimizationThreshold(() => ({ answer: 42 })), { answer: 42 });
  assert.throws(() => raisedOptimizationThreshold(() => { throw new RangeError('from the work') }), { name: 'RangeError', message: 'from the work' });
  // After a throw the next request still runs (the flag was put back and can be raised again).
  assert.equal(raisedOptimizationThreshold(() => 'again'), 'again');
});
