import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredNames, qualifyShorthands } from './shorthand.js';

test('declaredNames reads the values earlier cells declared', () => {
  const names = declaredNames('declare const a: number;\ndeclare let b: string;\ndeclare function f(): void;\ndeclare class C {}\ntype T = number;\n');
  assert.deepEqual([...names].sort(), ['C', 'a', 'b', 'f']);
});

test('a shorthand naming an earlier cell\'s value reads it from the shared exports', () => {
  const out = qualifyShorthands('exports.tsLastExpr = ({ a, b, c: exports.a + 1 });', new Set(['a', 'b']));
  assert.equal(out, 'exports.tsLastExpr = ({ a: exports.a, b: exports.b, c: exports.a + 1 });');
});

test('a shorthand of a name the cell declares itself is left alone', () => {
  const code = 'const a = 2;\nexports.a = a;\nconsole.log({ a });';
  assert.equal(qualifyShorthands(code, new Set(['a'])), code);
});

test('code without earlier names is returned as it is', () => {
  assert.equal(qualifyShorthands('({ x })', new Set()), '({ x })');
});
