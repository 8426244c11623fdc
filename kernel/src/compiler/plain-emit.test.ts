import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { installLeanWatchProgram } from './lean-program.js';
import { createPlainEmit } from './plain-emit.js';
import type { EmittedCell } from './early-answer.js';
import { preloadedTypeFiles } from '../preload.js';

// tslab's converter in this process, with the kernel's preloaded declarations, as the worker runs it.
const lean = installLeanWatchProgram(['node'], preloadedTypeFiles());
const ts = lean.ts;
const tslab = createRequire(import.meta.url)('tslab/dist/converter') as typeof import('tslab/dist/converter.js');
const converter = tslab.createConverter();
const plainEmit = createPlainEmit(ts);
after(() => converter.close());

const root = fileURLToPath(new URL('../../../', import.meta.url));

let declarations = '';
/** tslab's declaration file for `declarations`, as the worker gives it to the printer. */
function declarationFile(): TS.SourceFile {
  return (
    lean.parsedDeclarations(declarations) ??
    ts.createSourceFile('__prev__.d.ts', `export {};\n${declarations}`, ts.ScriptTarget.ES2022)
  );
}

/** Converts a cell as the worker does, its printed output given to the early answer; what was handed. */
function convert(src: string, printed?: () => EmittedCell | undefined) {
  const handed: EmittedCell[] = [];
  const result = lean.convertingCell(
    () => converter.convert(declarations, src),
    (cell) => handed.push(cell),
    printed,
  );
  if (result.diagnostics.length === 0) declarations = result.declOutput ?? '';
  return { result, handed };
}

/** The code cells of the tutorials, one notebook after another. */
function notebookCells(): string[][] {
  const folder = join(root, 'notebooks');
  return readdirSync(folder)
    .filter((name) => name.endsWith('.ipynb'))
    .sort()
    .map((name) => {
      const notebook = JSON.parse(readFileSync(join(folder, name), 'utf8')) as {
        cells: { cell_type: string; source: string | string[] }[];
      };
      return notebook.cells
        .filter((cell) => cell.cell_type === 'code')
        .map((cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source));
    });
}

/**
 * The cells the kernel's tests run, one test file after another: the literal first arguments of `execute(…)` and
 * `convert(…)` calls, and the literal elements of arrays a `for … of` walks (the compiler tests' lists of cells).
 */
function testCells(): string[][] {
  const files = [
    ...readdirSync(join(root, 'test/src/kernel')).map((name) => join(root, 'test/src/kernel', name)),
    ...readdirSync(join(root, 'kernel/src/compiler'))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => join(root, 'kernel/src/compiler', name)),
  ];
  return files.map((path) => {
    const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const cells: string[] = [];
    const literal = (node: TS.Node | undefined) => {
      if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) cells.push(node.text);
    };
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) && callee.text;
        if (name === 'execute' || name === 'convert') literal(node.arguments[0]);
      }
      if (ts.isForOfStatement(node) && ts.isArrayLiteralExpression(node.expression))
        node.expression.elements.forEach(literal);
      ts.forEachChild(node, visit);
    };
    visit(file);
    return cells;
  });
}

test("the printed JavaScript equals the compiler's emit for every cell of the tutorials and kernel tests it prints", () => {
  let printed = 0;
  let declined = 0;
  for (const cells of [...notebookCells(), ...testCells()]) {
    declarations = '';
    for (const src of cells) {
      const plain = plainEmit(src, declarationFile());
      const { result } = convert(src);
      if (result.diagnostics.length > 0 || result.hasToplevelAwait) continue;
      if (!plain) {
        declined++;
        continue;
      }
      printed++;
      assert.equal(plain.output, result.output, src);
      assert.equal(plain.lastExpressionVar, result.lastExpressionVar, src);
    }
  }
  // Both kinds occur in this corpus: the comparison covers cells the printer takes, and it declines others.
  assert.ok(printed >= 20, `printed ${printed}`);
  assert.ok(declined >= 100, `declined ${declined}`);
});

test('the printed JavaScript equals the emit for cells of each kind it prints', () => {
  declarations = '';
  convert('let earlier = 20; function twice(n: number) { return 2 * n }');
  const cells = [
    'let a = earlier * 2 + 1, b = "text", c = `${a} and ${earlier}`; a',
    "var d = earlier > 1 ? 'yes' : 'no'\nconst e = !d; e",
    'typeof earlier === "number" && new Date() instanceof Object',
    '"x" in globalThis || (earlier ?? 0) >> 1',
    'twice(earlier); Math.max(earlier, -1, ~2).toFixed(1)',
    '[earlier, 2][0] + new Date(0).getTime() + earlier.toString().length',
    'let f = 1_000, g = 0x10, h = 1e3, i = null, j = undefined; f',
    'let k\nk',
  ];
  for (const src of cells) {
    const plain = plainEmit(src, declarationFile());
    const { result } = convert(src);
    assert.deepEqual(result.diagnostics, [], src);
    assert.ok(plain, src);
    assert.equal(plain.output, result.output, src);
    assert.equal(plain.lastExpressionVar, result.lastExpressionVar, src);
  }
});

test('the printer declines what it cannot print exactly as the emit does', () => {
  declarations = '';
  convert('let earlier = 1');
  convert('const enum Color { Red }');
  convert('import * as path from "node:path"');
  convert('namespace Space { export const inner = 1 }');
  for (const src of [
    'Color.Red',
    'path.join("a")',
    'Space.inner',
    'let earlier = 2',
    'function twice(n: number) { return 2 * n }',
    'class Point {}',
    '@((c: unknown) => c) class Decorated {}',
    'export const out = 1',
    'import { join } from "node:path"',
    'let typed: number = 1',
    'earlier as number',
    'earlier!',
    'for (let i = 0; i < 2; i++) earlier',
    'const point = { x: earlier }',
    'earlier = 2',
    'earlier++',
    'earlier += 1',
    '(earlier, 1)',
    'await Promise.resolve(earlier)',
    'earlier // a comment',
    '`${earlier}` // a comment after a template',
    'earlier /* inside */ + 1',
    '"use strict"',
    'let [a] = [1]',
    'exports.earlier',
    'let tsLastExpr = 1',
    '(() => earlier)()',
    'earlier?.toFixed()',
  ]) {
    assert.equal(plainEmit(src, declarationFile()), undefined, src);
  }
});

test('a plain cell is handed at its check, once, with the output tslab then answers', () => {
  declarations = '';
  convert('let before = 20');
  let printed = 0;
  const { result, handed } = convert('let answer = before * 2 + 2; answer', () => {
    printed++;
    return plainEmit('let answer = before * 2 + 2; answer', declarationFile());
  });
  assert.equal(printed, 1);
  assert.equal(handed.length, 1);
  assert.equal(handed[0]!.output, result.output);
  assert.match(result.output ?? '', /let answer = exports\.before \* 2 \+ 2;/);
  assert.equal(handed[0]!.lastExpressionVar, 'tsLastExpr');
});

test('a cell with a type error is not printed and nothing is handed', () => {
  declarations = '';
  let printed = 0;
  const { result, handed } = convert('const count: number = "many"; count', () => {
    printed++;
    return undefined;
  });
  assert.deepEqual(
    result.diagnostics.map((d) => d.code),
    [2322],
  );
  assert.equal(printed, 0);
  assert.deepEqual(handed, []);
});

test('a cell the printer declines is still handed from its emit', () => {
  declarations = '';
  const { result, handed } = convert('const point = { x: 1 }; point', () => undefined);
  assert.equal(handed.length, 1);
  assert.equal(handed[0]!.output, result.output);
});
