import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displaySymbol, toMimeBundle } from './mime.js';

test('a value without the display protocol becomes its inspected text', () => {
  assert.deepEqual(toMimeBundle({ a: 1 }), { 'text/plain': '{ a: 1 }' });
  assert.deepEqual(toMimeBundle('hi'), { 'text/plain': "'hi'" });
});

test('an object with Symbol.for("Jupyter.display") displays as its bundle with text/plain added', () => {
  const value = { [displaySymbol]: () => ({ 'text/html': '<b>x</b>' }) };
  const bundle = toMimeBundle(value);
  assert.equal(bundle['text/html'], '<b>x</b>');
  assert.equal(typeof bundle['text/plain'], 'string');
});

test('an object keeps its own text/plain form', () => {
  const value = { [Symbol.for('Jupyter.display')]: () => ({ 'text/plain': 'mine' }) };
  assert.equal(toMimeBundle(value)['text/plain'], 'mine');
});
