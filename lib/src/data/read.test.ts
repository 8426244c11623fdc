import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as read from './read.js';
import { DataFrame } from './frame.js';
import { DataError, ParseError } from './errors.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const expected = [
  { id: 1, score: 0.5, name: 'ann', day: new Date('2024-01-01'), ok: true },
  { id: 2, score: null, name: 'bob', day: new Date('2024-01-02'), ok: false },
  { id: 3, score: 2.25, name: null, day: new Date('2024-01-03'), ok: true },
  { id: 4, score: 3, name: 'dee', day: null, ok: null },
];

test('read.csv reads a local file into a typed DataFrame', async () => {
  const df = await read.csv(fixture('small.csv'));
  assert.ok(df instanceof DataFrame);
  assert.deepEqual(df.types(), { species: 'string', mass: 'number', island: 'string', date: 'date' });
  assert.deepEqual(df.array('island'), ['Torgersen', 'Biscoe, North', 'Dream', 'Torgersen']);
  assert.deepEqual(df.array('species')[3], 'Adelie "A"');
});

test('read.csv names the file and line of a malformed row, or skips and counts with onBadRow', async () => {
  await assert.rejects(
    read.csv(fixture('bad.csv')),
    (e: unknown) => e instanceof ParseError && /bad\.csv, line 3: expected 3 fields/.test(e.message),
  );
  const skipped = await read.csv(fixture('bad.csv'), { onBadRow: 'skip' });
  assert.equal(skipped.skippedRows, 2);
  assert.deepEqual(skipped.array('a'), [1, 6]);
});

test('read.csv reads file: URLs and http: URLs', async () => {
  assert.equal((await read.csv(pathToFileURL(fixture('small.csv')).href)).numRows(), 4);
  const server = createServer((req, res) => {
    if (req.url === '/small.csv') res.end(readFileSync(fixture('small.csv')));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    assert.equal((await read.csv(`http://127.0.0.1:${port}/small.csv`)).numRows(), 4);
    await assert.rejects(read.csv(`http://127.0.0.1:${port}/nope.csv`), /answered HTTP 404/);
  } finally {
    server.close();
  }
});

test('a missing file is an error naming the full path', async () => {
  await assert.rejects(
    read.csv('no/such/file.csv'),
    (e: unknown) =>
      e instanceof DataError &&
      e.code === 'LEPTON_LOAD_ERROR' &&
      /no such file/.test(e.message) &&
      e.message.includes(join(process.cwd(), 'no/such/file.csv')),
  );
});

test('read.json reads row arrays, column objects and newline-delimited JSON, with type overrides', async () => {
  const df = await read.json(fixture('small.json'));
  assert.deepEqual(df.objects(), [
    { a: 1, b: 'x' },
    { a: 2.5, b: null },
    { a: null, b: 'z' },
  ]);
  assert.deepEqual(read.jsonText('{"a":[1,2],"b":["x","y"]}').objects(), [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
  ]);
  assert.deepEqual(read.jsonText('{"a":1}\n{"a":2}\n').array('a'), [1, 2]);
  assert.deepEqual(read.jsonText('[{"t":"2024-01-01"}]', { types: { t: 'date' } }).array('t'), [
    new Date('2024-01-01'),
  ]);
  assert.throws(
    () => read.jsonText('[{"n":"x"}]', { types: { n: 'number' } }),
    /row 0: column "n" is declared number, but the value is "x"/,
  );
});

test('read.json reads columns of ISO date text as dates, as read.csv does, in every JSON layout', () => {
  const rows = read.jsonText(
    '[{"date":"2012-01-01","t":"2012-01-01T08:30:00Z","x":1},{"date":null,"t":"2012-01-02 09:00Z","x":2}]',
  );
  assert.deepEqual(rows.array('date'), [new Date('2012-01-01'), null]);
  assert.deepEqual(rows.array('t'), [new Date('2012-01-01T08:30:00Z'), new Date('2012-01-02T09:00Z')]);
  assert.deepEqual(read.jsonText('{"d":["2012-01-01","2012-01-02"]}').array('d'), [
    new Date('2012-01-01'),
    new Date('2012-01-02'),
  ]);
  assert.deepEqual(read.jsonText('{"d":"2012-01-01"}\n{"d":"2012-01-03"}\n').array('d'), [
    new Date('2012-01-01'),
    new Date('2012-01-03'),
  ]);
  // the same text read by both readers gives the same dates
  assert.deepEqual(
    read.jsonText('[{"d":"2012-01-01 08:30"}]').array('d'),
    read.csvText('d\n2012-01-01 08:30').array('d'),
  );
  // one value that is not a date keeps the column as text; declared types and parseDates: false opt out
  assert.deepEqual(read.jsonText('[{"d":"2012-01-01"},{"d":"soon"}]').array('d'), ['2012-01-01', 'soon']);
  assert.deepEqual(read.jsonText('[{"d":"2012-01-01"}]', { types: { d: 'string' } }).array('d'), ['2012-01-01']);
  assert.deepEqual(read.jsonText('[{"d":"2012-01-01"}]', { parseDates: false }).array('d'), ['2012-01-01']);
  assert.deepEqual(read.jsonText('[{"d":null}]').array('d'), [null]);
});

test('invalid JSON is an error naming its line', () => {
  assert.throws(
    () => read.jsonText('[\n{"a": 1},\n{"a": }\n]'),
    (e: unknown) => e instanceof ParseError && e.line === 3,
  );
  assert.throws(() => read.jsonText('[1, 2]'), /row 0 is 1, not an object/);
});

test('read.arrow and read.parquet (snappy and gzip) read the same typed columns', async () => {
  assert.deepEqual((await read.arrow(fixture('small.arrow'))).objects(), expected);
  assert.deepEqual((await read.parquet(fixture('small.parquet'))).objects(), expected);
  assert.deepEqual((await read.parquet(fixture('small-gzip.parquet'))).objects(), expected);
  assert.deepEqual(
    (await read.parquet(fixture('small.parquet'), { columns: ['name'], rowStart: 1, rowEnd: 3 })).objects(),
    [{ name: 'bob' }, { name: null }],
  );
  await assert.rejects(
    read.parquet(fixture('small.parquet'), { columns: ['nope'] }),
    /unknown column "nope". Available columns: id, score, name, day, ok/,
  );
});

test('a file that is not Arrow or Parquet is a parse error, not garbage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-read-'));
  writeFileSync(join(dir, 'x.bin'), 'this is not a columnar file at all');
  await assert.rejects(
    read.arrow(join(dir, 'x.bin')),
    (e: unknown) => e instanceof ParseError && /is not Arrow IPC data/.test(e.message),
  );
  await assert.rejects(
    read.parquet(join(dir, 'x.bin')),
    (e: unknown) => e instanceof ParseError && /is not a parquet file/.test(e.message),
  );
});
