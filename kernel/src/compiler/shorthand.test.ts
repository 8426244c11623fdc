import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredNames, mayHoldShorthand, qualifyShorthands } from './shorthand.js';

test('declaredNames reads the values earlier cells declared', () => {
  const names = declaredNames(
    'declare const a: number;\ndeclare let b: string;\ndeclare function f(): void;\ndeclare class C {}\ntype T = number;\n',
  );
  assert.deepEqual([...names].sort(), ['C', 'a', 'b', 'f']);
});

test("a shorthand naming an earlier cell's value reads it from the shared exports", () => {
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

test('every shorthand of an earlier name is found by the scan that spares the parse', () => {
  const names = new Set(['a', 'b']);
  assert.equal(qualifyShorthands('f({a,b});', names), 'f({a: exports.a,b: exports.b});');
  assert.equal(qualifyShorthands('({ x, b = 1 } = o);', names), '({ x, b: exports.b = 1 } = o);');
  assert.equal(qualifyShorthands('f({ /* c */ a });', names), 'f({ /* c */ a: exports.a });');
  assert.equal(qualifyShorthands('f({\n  a\n});', names), 'f({\n  a: exports.a\n});');
});

test('the scan lets a trivial cell skip the parse', () => {
  const output =
    '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.x3 = 3 * 2;\nexports.tsLastExpr = exports.x3;';
  assert.equal(mayHoldShorthand(output, new Set(['x3', 'value'])), false);
  assert.equal(mayHoldShorthand('f({ x1 })', new Set(['x1'])), true);
});
