import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { declarationsCannotFail } from './plain-declarations.js';

const fromTslab = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'));
const ts = fromTslab('@tslab/typescript-for-tslab') as typeof TS;

const options: TS.CompilerOptions = { target: ts.ScriptTarget.ES2022, declaration: true, strict: true };
const host = ts.createCompilerHost(options);
const readLib = host.getSourceFile.bind(host);

/** Checks each cell (a module, as tslab's cell file is) in one program and answers for each. */
function cannotFail(cells: string[]): boolean[] {
  const names = cells.map((_, i) => `/cells/cell${i}.ts`);
  host.getSourceFile = (name, target, ...rest) => {
    const index = names.indexOf(name);
    return index >= 0 ? ts.createSourceFile(name, cells[index]!, target) : readLib(name, target, ...rest);
  };
  const program = ts.createProgram(names, options, host);
  return names.map((name) => declarationsCannotFail(ts, program.getTypeChecker(), program.getSourceFile(name)!));
}

/** Asserts the answer for every cell of `cells`, naming the cell that got the other one. */
function expectAll(cells: string[], expected: boolean) {
  const answers = cannotFail(cells);
  cells.forEach((cell, i) => assert.equal(answers[i], expected, cell));
}

test('cells that declare nothing or only unannotated primitive variables cannot fail their declaration transform', () => {
  expectAll(
    [
      'let x3 = 3 * 2; x3\nexport {x3}',
      'const label = "a" + `b`, flag = label === "ab"; let big = 10n, none = null;\nexport {label, flag, big, none}',
      'let maybe = Math.random() > 0.5\nexport {maybe}',
      '[1, 2].map((n) => ({ n }));\n;',
      'new Date()',
    ],
    true,
  );
});

test('functions, classes, types, annotations, destructuring and object or union types are left to the transform', () => {
  expectAll(
    [
      'function twice(n: number) { return 2 * n }\nexport {twice}',
      'const Hidden = class { private secret = 1 }\nexport {Hidden}',
      'interface Point { x: number }\nexport {Point}',
      'let n: number = 1\nexport {n}',
      'const [a] = [1]\nexport {a}',
      'let point = { x: 1 }\nexport {point}',
      'let either = Math.random() > 0.5 ? 1 : "one"\nexport {either}',
      'enum Color { Red }\nlet c = Color.Red\nexport {Color, c}',
      'export { readFile } from "node:fs"',
    ],
    false,
  );
});
