import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError } from '../errors.js';
import { compileTransforms, parseTransforms, type TransformJSON } from './index.js';

/** Transform JSON as `lepton.preprocess` writes it (`transform.toJSON()`). */
const json = (
  kind: string,
  state: Record<string, unknown> | null,
  config: Record<string, unknown> = {},
): TransformJSON => ({ kind, version: 1, config, state });
const scaler = json('standardScaler', { columns: ['x', 'y'], mean: [2, 10], std: [0.5, 1] }, { columns: ['x', 'y'] });
const minMax = json('minMaxScaler', { columns: ['x'], min: [1], max: [3] }, { columns: ['x'], range: [-1, 1] });
const island = json('oneHot', { columns: ['island'], categories: [['Biscoe', 'Dream']] }, { columns: ['island'] });
const sex = json('labelEncoder', { columns: ['sex'], categories: [['female', 'male']] }, { columns: ['sex'] });
const fillX = json('imputer', { columns: ['x'], fill: [2] }, { strategy: 'mean', columns: ['x'] });

/** Asserts `fn` throws the catalogue error `code` with a message matching `message`. */
function throwsCoded(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ServerError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

const rows = (out: Float32Array, width: number) =>
  Array.from({ length: out.length / width }, (_, r) => Array.from(out.subarray(r * width, (r + 1) * width)));

describe('compileTransforms applies each transform kind to raw records', () => {
  it("standardScaler: (value - mean) / std, columns in the scaler's order", () => {
    const prep = compileTransforms([scaler]);
    assert.deepEqual(prep.features, ['x', 'y']);
    assert.deepEqual(
      rows(
        prep.apply([
          { y: 12, x: 3 },
          { x: 1.5, y: 10, other: 'ignored' },
        ]),
        2,
      ),
      [
        [2, 2],
        [-1, 0],
      ],
    );
  });

  it('minMaxScaler: the fitted [min, max] onto the configured range', () => {
    assert.deepEqual(Array.from(compileTransforms([minMax]).apply([{ x: 1 }, { x: 2 }, { x: 5 }])), [-1, 0, 3]);
  });

  it('oneHot: 0/1 columns per category in place of the column; a missing or unseen category is all zeros', () => {
    const prep = compileTransforms([scaler, island]);
    assert.deepEqual(prep.features, ['x', 'y', 'island_Biscoe', 'island_Dream']);
    assert.deepEqual(
      rows(
        prep.apply([
          { x: 2, y: 10, island: 'Dream' },
          { x: 2, y: 10 },
          { x: 2, y: 10, island: 'Mars' },
        ]),
        4,
      ),
      [
        [0, 0, 0, 1],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    );
    const strict = json('oneHot', island.state, { columns: ['island'], unknown: 'error' });
    throwsCoded(
      () => compileTransforms([strict]).apply([{ island: 'Biscoe' }, { island: 'Mars' }]),
      'LEPTON_BAD_RECORD',
      /^Record 1: "island" holds "Mars", not seen in fitting by transforms\[0\] \(oneHot\) \(categories: "Biscoe", "Dream"\)\.$/,
    );
  });

  it("labelEncoder: the category's index; an unseen category is an error naming it", () => {
    const prep = compileTransforms([sex], { features: ['sex', 'x'] });
    assert.deepEqual(
      rows(
        prep.apply([
          { sex: 'male', x: 4 },
          { sex: 'female', x: true },
        ]),
        2,
      ),
      [
        [1, 4],
        [0, 1],
      ],
    );
    throwsCoded(
      () => prep.apply([{ sex: 'other', x: 1 }]),
      'LEPTON_BAD_RECORD',
      /Record 0: "sex" holds "other", not seen in fitting by transforms\[0\] \(labelEncoder\)/,
    );
  });

  it('missing: nan feeds a value still missing after the steps (absent, null, NaN) as NaN, for trees; the default refuses it', () => {
    const prep = compileTransforms([sex], { features: ['sex', 'x'], missing: 'nan' });
    const out = rows(prep.apply([{ sex: 'male', x: 4 }, { x: null }, { sex: null, x: NaN }]), 2);
    assert.deepEqual(out, [
      [1, 4],
      [NaN, NaN],
      [NaN, NaN],
    ]);
    throwsCoded(
      () => compileTransforms([sex], { features: ['sex', 'x'] }).apply([{ sex: 'male' }]),
      'LEPTON_BAD_RECORD',
      /Record 0: "x" is missing \(absent, null or NaN\) and no imputer fills it/,
    );
  });

  it('imputer: fills a missing value (absent, null or NaN) before the steps after it', () => {
    const prep = compileTransforms([fillX, minMax]);
    assert.deepEqual(Array.from(prep.apply([{}, { x: null }, { x: NaN }, { x: 3 }])), [0, 0, 0, 1]);
  });

  it('a pipeline runs its steps in order, like the transforms listed one by one', () => {
    const pipeline = json('pipeline', { fitted: true }, { steps: [fillX, minMax, island] });
    const prep = compileTransforms([pipeline]);
    assert.deepEqual(prep.features, ['x', 'island_Biscoe', 'island_Dream']);
    assert.deepEqual(Array.from(prep.apply([{ island: 'Biscoe' }])), [0, 1, 0]);
    assert.deepEqual(Array.from(compileTransforms([fillX, minMax, island]).apply([{ island: 'Biscoe' }])), [0, 1, 0]);
  });

  it('reads features no transform names from the record as they are, in the order given', () => {
    const prep = compileTransforms([minMax], { features: ['raw', 'x'], width: 2 });
    assert.deepEqual(prep.fields, ['x', 'raw']);
    assert.deepEqual(Array.from(prep.apply([{ raw: 7, x: 3 }])), [7, 1]);
    const after = compileTransforms([island], { features: ['island_Dream', 'raw', 'island_Biscoe'] });
    assert.deepEqual(Array.from(after.apply([{ island: 'Biscoe', raw: 5 }])), [0, 5, 1]);
  });

  it('reads JSON text written by JSON.stringify of the transforms, as deploy sends it', () => {
    const prep = compileTransforms(JSON.parse(JSON.stringify([scaler, island])) as unknown[]);
    assert.deepEqual(Array.from(prep.apply([{ x: 2.5, y: 9, island: 'Biscoe' }])), [1, -1, 1, 0]);
  });
});

describe('compileTransforms names the record and field it cannot preprocess', () => {
  const prep = compileTransforms([scaler, island]);
  const cases: Array<{ title: string; records: unknown[]; message: RegExp }> = [
    {
      title: 'a missing feature',
      records: [{ x: 1, y: 2 }, { x: 1 }],
      message: /^Record 1: "y" is missing \(absent, null or NaN\) and no imputer fills it\.$/,
    },
    { title: 'a null feature', records: [{ x: null, y: 2 }], message: /^Record 0: "x" is missing/ },
    { title: 'a NaN feature', records: [{ x: NaN, y: 2 }], message: /^Record 0: "x" is missing/ },
    {
      title: 'a string where a number belongs',
      records: [{ x: '39.1', y: 2 }],
      message: /^Record 0: "x" holds "39\.1", but transforms\[0\] \(standardScaler\) needs a number\.$/,
    },
    { title: 'an object where a number belongs', records: [{ x: { v: 1 }, y: 2 }], message: /"x" holds an object/ },
    {
      title: 'a record that is not an object',
      records: [{ x: 1, y: 2 }, 5],
      message: /^Record 1 is number, not an object of fields\.$/,
    },
    { title: 'a null record', records: [null], message: /^Record 0 is null/ },
    { title: 'an array record', records: [[1, 2]], message: /^Record 0 is an array/ },
  ];
  for (const c of cases)
    it(`answers LEPTON_BAD_RECORD to ${c.title}`, () => {
      throwsCoded(() => prep.apply(c.records), 'LEPTON_BAD_RECORD', c.message);
    });

  it('refuses a raw feature that is not a number, and one beyond FP32', () => {
    const raw = compileTransforms([minMax], { features: ['x', 'name'] });
    throwsCoded(
      () => raw.apply([{ x: 1, name: 'Adelie' }]),
      'LEPTON_BAD_RECORD',
      /"name" holds "Adelie", not a number; encode it with oneHot or labelEncoder/,
    );
    throwsCoded(
      () => raw.apply([{ x: 1, name: 1e300 }]),
      'LEPTON_BAD_RECORD',
      /"name" is 1e\+300, which is not a finite FP32 number/,
    );
  });
});

describe('parseTransforms refuses what it cannot apply, naming the transform', () => {
  const cases: Array<{ title: string; transforms: unknown[]; message: RegExp }> = [
    {
      title: 'an unknown kind',
      transforms: [scaler, json('robustScaler', { columns: ['x'] })],
      message:
        /transforms\[1\] \(robustScaler\) is of an unknown transform kind; the server applies standardScaler, minMaxScaler, oneHot, labelEncoder, imputer, pipeline, dateFeatures\./,
    },
    {
      title: 'an unfitted transform',
      transforms: [json('standardScaler', null)],
      message: /transforms\[0\] \(standardScaler\) is not fitted/,
    },
    {
      title: 'an unfitted pipeline step',
      transforms: [json('pipeline', { fitted: true }, { steps: [scaler, json('oneHot', null)] })],
      message: /transforms\[0\]\.steps\[1\] \(oneHot\) is not fitted/,
    },
    {
      title: 'another format version',
      transforms: [{ ...scaler, version: 2 }],
      message: /has format version 2; the server reads version 1/,
    },
    {
      title: 'something that is not a transform',
      transforms: ['standardScaler'],
      message: /transforms\[0\] is not a transform JSON object with a "kind"/,
    },
    {
      title: 'state arrays of the wrong length',
      transforms: [json('standardScaler', { columns: ['x', 'y'], mean: [1], std: [1, 1] })],
      message: /needs state\.mean: 2 finite numbers/,
    },
    {
      title: 'a zero standard deviation',
      transforms: [json('standardScaler', { columns: ['x'], mean: [1], std: [0] })],
      message: /has a zero in state\.std/,
    },
    {
      title: 'a bad minMaxScaler range',
      transforms: [json('minMaxScaler', minMax.state, { range: [1, 1] })],
      message: /config\.range \[1, 1\]/,
    },
    {
      title: 'a bad oneHot unknown option',
      transforms: [json('oneHot', island.state, { unknown: 'drop' })],
      message: /config\.unknown "drop"/,
    },
    {
      title: 'categories that are not lists',
      transforms: [json('labelEncoder', { columns: ['sex'], categories: ['female'] })],
      message: /needs state\.categories/,
    },
    {
      title: 'an imputer without fill values',
      transforms: [json('imputer', { columns: ['x'] })],
      message: /needs state\.fill: 1 fill value/,
    },
  ];
  for (const c of cases) {
    it(`answers LEPTON_BAD_META to ${c.title}`, () => {
      throwsCoded(() => parseTransforms(c.transforms), 'LEPTON_BAD_META', c.message);
    });
  }

  it('refuses features that disagree with the model width or use a replaced column', () => {
    throwsCoded(
      () => compileTransforms([scaler, sex], { width: 2 }),
      'LEPTON_BAD_META',
      /the transforms give 3 columns \("x", "y", "sex"\), but the model input takes 2; deploy with features: \[\.\.\.\]/,
    );
    throwsCoded(
      () => compileTransforms([scaler], { features: ['x'], width: 2 }),
      'LEPTON_BAD_META',
      /features names 1 columns, but the model input takes 2/,
    );
    throwsCoded(
      () => compileTransforms([island], { features: ['island'] }),
      'LEPTON_BAD_META',
      /features uses column "island", which transforms\[0\] \(oneHot\) already replaced/,
    );
    throwsCoded(
      () => compileTransforms([island, sex, json('labelEncoder', { columns: ['island'], categories: [['Dream']] })]),
      'LEPTON_BAD_META',
      /transforms\[2\] \(labelEncoder\) uses column "island", which transforms\[0\] \(oneHot\) already replaced/,
    );
    throwsCoded(() => compileTransforms([]), 'LEPTON_BAD_META', /transforms is empty/);
    throwsCoded(
      () => compileTransforms([scaler], { features: 'x' as unknown as string[] }),
      'LEPTON_BAD_META',
      /features must be a non-empty array of column names/,
    );
  });
});
