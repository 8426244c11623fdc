// One size of the dataframe suite in its own process, so its peak memory is its own: node dataframe-worker.js N DATA_DIR
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { DataFrame } from '@lepton/lib';
import { bestOfThreeMs } from '../timing.js';

const n = Number(process.argv[2]);
const dataDir = process.argv[3] ?? '';
const K = 1000;

/** The peer script's data when it ran, else the same distribution from a seeded generator (reported). */
function data(): { id: Int32Array; v: Float64Array; shared: boolean } {
  const idPath = join(dataDir, 'id.i32');
  if (dataDir && existsSync(idPath)) {
    const idBytes = readFileSync(idPath);
    const vBytes = readFileSync(join(dataDir, 'v.f64'));
    const id = new Int32Array(idBytes.buffer.slice(idBytes.byteOffset, idBytes.byteOffset + idBytes.byteLength));
    const v = new Float64Array(vBytes.buffer.slice(vBytes.byteOffset, vBytes.byteOffset + vBytes.byteLength));
    if (id.length === n && v.length === n) return { id, v, shared: true };
  }
  let s = 1;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return {
    id: Int32Array.from({ length: n }, () => Math.floor(rand() * K)),
    v: Float64Array.from({ length: n }, () => rand() * 1e3),
    shared: false,
  };
}

/** Best of 3 after a warm-up, as the peer script measures. */
const ms = bestOfThreeMs;

const { id, v, shared } = data();
const dimColumns = {
  id: Int32Array.from({ length: K }, (_, i) => i),
  w: Float64Array.from({ length: K }, (_, i) => i * 2),
};
const table = aq.table({ id, v });
const dim = aq.table(dimColumns);
const frame = DataFrame.from({ id, v });
const dimFrame = DataFrame.from(dimColumns);
const rollup = { sum: aq.op.sum('v'), mean: aq.op.mean('v'), count: aq.op.count() };

// check the fast paths agree with arquero before timing them
const fast = frame.aggregate('id', { v: ['sum', 'mean', 'count'] });
const slow = table.groupby('id').rollup(rollup);
if (
  fast.numRows() !== slow.numRows() ||
  Math.abs((fast.array('v_sum') as Float64Array)[0]! - (slow.array('sum') as number[])[0]!) >
    1e-6 * (slow.array('sum') as number[])[0]!
) {
  throw new Error('aggregate disagrees with arquero');
}
if (frame.join(dimFrame, 'id').numRows() !== table.join(dim, 'id').numRows())
  throw new Error('join disagrees with arquero');

/** Best of 5 rounds of two functions run alternately, so heap growth and GC affect both alike. */
function paired(a: () => unknown, b: () => unknown): [number, number] {
  a();
  b();
  let bestA = Infinity;
  let bestB = Infinity;
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    a();
    bestA = Math.min(bestA, performance.now() - t);
    t = performance.now();
    b();
    bestB = Math.min(bestB, performance.now() - t);
  }
  return [Math.round(bestA * 10) / 10, Math.round(bestB * 10) / 10];
}

const [arqueroGroupby, delegatedGroupby] = paired(
  () => table.groupby('id').rollup(rollup),
  () => frame.groupby('id').rollup(rollup),
);
const [arqueroJoin, delegatedJoin] = paired(
  () => table.join(dim, 'id', undefined, { suffix: ['_1', '_2'] }),
  () => frame.join(dimFrame, 'id', undefined, { suffix: ['_1', '_2'] }),
);

const result = {
  rows: n,
  shared_data: shared,
  lepton_groupby_ms: ms(() => frame.aggregate('id', { v: ['sum', 'mean', 'count'] })),
  lepton_join_ms: ms(() => frame.join(dimFrame, 'id')),
  arquero_groupby_ms: arqueroGroupby,
  arquero_join_ms: arqueroJoin,
  delegated_groupby_ms: delegatedGroupby,
  delegated_join_ms: delegatedJoin,
  max_rss_mb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
};
console.log(JSON.stringify(result));
