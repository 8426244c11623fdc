// The server preprocesses raw records with @lepton/server/preprocess; for every transform kind it must give the
// numbers lepton.preprocess gives on a DataFrame: transform(df).toTensor(features).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compileTransforms } from '@lepton/server/preprocess';
import { DataFrame } from '../data/frame.js';
import {
  imputer,
  labelEncoder,
  minMaxScaler,
  oneHot,
  pipeline,
  standardScaler,
  type Transform,
} from '../preprocess/index.js';

const frame = () =>
  DataFrame.from({
    x: [1, 2, 3, null, 8],
    y: [10, 12, 10, 11, 10],
    c: ['b', 'a', null, 'b', 'c'],
    flag: [true, false, true, true, false],
    note: ['n1', 'n2', 'n3', 'n4', 'n5'],
  });

/** Asserts the server module and lib agree on `frame` for `transforms` fitted on it, in `features` order. */
function agree(transforms: Transform[], features: string[], df = frame()): void {
  for (const t of transforms) t.fit(df);
  const local = transforms.reduce((f, t) => t.transform(f), df).toTensor(features);
  const json = JSON.parse(JSON.stringify(transforms)) as unknown[];
  const rows = compileTransforms(json, { features }).apply(df.objects());
  assert.deepEqual(Array.from(rows), Array.from(local.dataSync()));
  local.dispose();
}

test('standardScaler and minMaxScaler give the numbers lib gives', async () => {
  await tf.setBackend('cpu');
  const df = frame().filter((d: { x: number | null }) => d.x !== null);
  agree([standardScaler({ columns: ['x', 'y'] })], ['x', 'y'], df);
  agree([minMaxScaler({ columns: ['y', 'x'], range: [-1, 1] })], ['x', 'y'], df);
});

test('oneHot and labelEncoder give the columns lib gives, in place, a missing category as zeros', () => {
  agree([oneHot({ columns: ['c'] })], ['y', 'c_a', 'c_b', 'c_c', 'flag']);
  const df = frame().filter((d: { c: string | null }) => d.c !== null);
  agree([labelEncoder({ columns: ['c'] }), standardScaler({ columns: ['y'] })], ['c', 'y'], df);
});

test('a pipeline of imputer, scaler and oneHot gives the rows lib gives, missing values filled', () => {
  agree(
    [
      pipeline([
        imputer({ strategy: 'median', columns: ['x'] }),
        standardScaler({ columns: ['x', 'y'] }),
        oneHot({ columns: ['c'] }),
      ]),
    ],
    ['x', 'y', 'c_a', 'c_b', 'c_c'],
  );
  agree([imputer({ strategy: 'most-frequent', columns: ['c'] }), labelEncoder({ columns: ['c'] })], ['c']);
});

test('the default features are the columns the transforms give, in the order of a frame of those columns', () => {
  const prep = pipeline([
    imputer({ columns: ['x'] }),
    standardScaler({ columns: ['x', 'y'] }),
    oneHot({ columns: ['c'] }),
  ]).fit(frame());
  const named = frame().select(['x', 'y', 'c']);
  assert.deepEqual(compileTransforms([prep.toJSON()]).features, prep.transform(named).columnNames());
});
