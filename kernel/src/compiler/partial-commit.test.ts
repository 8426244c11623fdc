import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partialDeclarations, splitExports } from './partial-commit.js';

test('the export preamble is split off and names the declared values, without the last expression', () => {
  const cell = splitExports(
    'Object.defineProperty(exports, "__esModule", { value: true });\nexports.b = exports.a = exports.tsLastExpr = void 0;\nconst a = 1;\nexports.a = a;\nfunction f() {\n    exports.x = void 0;\n}',
  );
  assert.deepEqual(cell.names, ['b', 'a']);
  assert.doesNotMatch(cell.output, /exports\.b = exports\.a/);
  // Only the top-level preamble goes: the same text inside a function body is the user's code.
  assert.match(cell.output, /^ {4}exports\.x = void 0;$/m);
});

test('unreached names keep their earlier declaration, or none; reached names and types take the new ones', () => {
  const previous = 'declare let old: string;\ndeclare const keep = 2;\n';
  const next =
    'declare const a = 1;\ndeclare const p: number, q: string;\ndeclare let old: number;\ninterface I {\n    z: number;\n}\ndeclare const b: I;\ndeclare function f(): void;\ndeclare const keep = 2;\n';
  const result = partialDeclarations(previous, next, ['q', 'old', 'b', 'f']);
  assert.match(result, /declare const a = 1;/);
  assert.match(result, /declare const p: number;/);
  assert.doesNotMatch(result, /q: string/);
  assert.match(result, /declare let old: string;/);
  assert.doesNotMatch(result, /old: number/);
  assert.match(result, /interface I/);
  assert.doesNotMatch(result, /declare const b/);
  assert.doesNotMatch(result, /function f/);
  assert.equal(result.match(/declare const keep/g)?.length, 1);
});

test('a cell that ran to the end commits its declarations unchanged', () => {
  assert.equal(
    partialDeclarations('declare const x = 1;\n', 'declare const y = 2;\ndeclare const x = 1;\n', []),
    'declare const y = 2;\ndeclare const x = 1;\n',
  );
});
