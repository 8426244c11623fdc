import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv.js';
import { ParseError, TypeMismatchError } from './errors.js';

test('quoted fields keep delimiters, doubled quotes and newlines', () => {
  const { columns } = parseCsv('a,b\n"x, y","say ""hi"""\n"two\nlines",z\n');
  assert.deepEqual(columns.a, ['x, y', 'two\nlines']);
  assert.deepEqual(columns.b, ['say "hi"', 'z']);
});

test('types are inferred per column and missing texts become null', () => {
  const { columns } = parseCsv('n,f,b,d,s\n1,1.5,true,2024-01-02,x\nNA,,FALSE,2024-02-03,7\r\n3,-2e3,true,,y\n');
  assert.deepEqual(columns.n, [1, null, 3]);
  assert.deepEqual(columns.f, [1.5, null, -2000]);
  assert.deepEqual(columns.b, [true, false, true]);
  assert.deepEqual(columns.d, [new Date('2024-01-02'), new Date('2024-02-03'), null]);
  assert.deepEqual(columns.s, ['x', '7', 'y']);
});

test('declared types override inference, and a value that does not fit names line, column and value', () => {
  assert.deepEqual(parseCsv('zip\n02139\n10001\n', { types: { zip: 'string' } }).columns.zip, ['02139', '10001']);
  assert.throws(
    () => parseCsv('a,b\n1,2\n3,x\n', { types: { b: 'number' } }),
    (e: unknown) =>
      e instanceof TypeMismatchError && e.message === 'line 3: column "b" is declared number, but the value is "x"',
  );
  assert.throws(() => parseCsv('a\n1\n', { types: { nope: 'number' } }), /unknown column "nope"/);
});

test('a row with the wrong number of fields is an error naming its line', () => {
  assert.throws(
    () => parseCsv('a,b,c\n1,2,3\n"multi\nline",2,3\n4,5\n'),
    (e: unknown) =>
      e instanceof ParseError && e.line === 5 && /expected 3 fields \(a, b, c\) but found 2/.test(e.message),
  );
});

test("with onBadRow: 'skip' bad rows are dropped and counted", () => {
  const result = parseCsv('a,b\n1,2\n3\n4,5,6\n7,8\n9,x\n', { onBadRow: 'skip', types: { b: 'integer' } });
  assert.deepEqual(result.columns.a, [1, 7]);
  assert.equal(result.skippedRows, 3);
});

test('an unclosed quote and a stray quote are errors naming their line', () => {
  assert.throws(() => parseCsv('a,b\n1,"open\n2,3\n'), /line 2: a quoted field that starts here is never closed/);
  assert.throws(() => parseCsv('a,b\n1,ab"c\n'), /line 2: field 2 \("ab\\"c"\) has a quote but is not quoted/);
});

test('headers must name every column once; files without header get c0, c1, …', () => {
  assert.throws(() => parseCsv('a,a\n1,2\n'), /names column "a" twice/);
  assert.throws(() => parseCsv(''), /empty/);
  assert.deepEqual(parseCsv('1,2\n3,4\n', { header: false }).names, ['c0', 'c1']);
  assert.deepEqual(parseCsv('x\ty\n1\t2\n', { delimiter: '\t' }).columns.y, [2]);
});
