import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displaySymbol } from '../display/mime.js';
import { DataFrame } from './frame.js';

test('a frame displays as an HTML table with column types, right-aligned numbers and a size footer', () => {
  const bundle = DataFrame.from({ name: ['a<b>', 'c'], x: [1.5, 22.25], n: [1, 2] })[displaySymbol]();
  const html = String(bundle['text/html']);
  assert.match(html, /<th title="string">name<br><small>string<\/small><\/th>/);
  assert.match(html, /<small>number<\/small>/);
  assert.match(html, /<td class="num">1\.50<\/td>/);
  assert.match(html, /<td class="num">22\.25<\/td>/);
  assert.match(html, /a&lt;b&gt;/);
  assert.match(html, /2 rows × 3 columns/);
  assert.match(String(bundle['text/plain']), /name +x +n\n +<string> +<number> +<integer>/);
});

test('a large frame sends only its head and tail rows to the front end', () => {
  const big = DataFrame.from({ i: Int32Array.from({ length: 1_000_000 }, (_, i) => i) });
  const html = String(big[displaySymbol]()['text/html']);
  const rows = html.match(/<tr>/g)!.length - 1; // minus the header row
  assert.equal(rows, 21); // 10 head + the ellipsis row + 10 tail
  assert.match(html, /<th class="idx">999999<\/th>/);
  assert.match(html, /1,000,000 rows × 1 column/);
  assert.ok(html.length < 10_000);
});

test('wide frames show their first and last columns with a gap', () => {
  const wide = DataFrame.from(Object.fromEntries(Array.from({ length: 50 }, (_, j) => [`c${j}`, [j]])));
  const text = wide.toString();
  assert.match(text, /c9 +… +c40/);
  assert.doesNotMatch(text, /c20/);
  assert.match(text, /1 row × 50 columns/);
});

test('missing values, dates and groupings show plainly', () => {
  const t = DataFrame.from({ d: [new Date('2024-01-02T00:00:00Z'), null], g: ['a', 'b'] }).groupby('g');
  const text = t.toString();
  assert.match(text, /2024-01-02/);
  assert.match(text, /null/);
  assert.match(text, /grouped by g/);
});
