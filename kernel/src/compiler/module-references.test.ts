import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { moduleReferences } from './module-references.js';

const references = (text: string) =>
  moduleReferences(ts, ts.createSourceFile('cell.ts', text, ts.ScriptTarget.Latest, true));

test('every syntax that names a module is found', () => {
  const found = references(
    'import a from "one"; export { b } from "two"; import c = require("three");\n' +
      'declare const d: import("four").D; const e = import("five"); const f = import(name);',
  );
  assert.deepEqual([...found.specifiers].sort(), ['five', 'four', 'one', 'three', 'two']);
  assert.equal(found.augments, false);
});

test('module and global augmentations are found; namespaces and plain code are not', () => {
  assert.equal(references('declare global { var x: number }').augments, true);
  assert.equal(references('declare module "lib" { export const y: number }').augments, true);
  assert.equal(references('namespace Local { export const z = 1 }').augments, false);
  assert.deepEqual(references('let x = 1; x').specifiers.size, 0);
});
