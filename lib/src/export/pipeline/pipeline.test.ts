// Each transform's ONNX form, run in onnxruntime-node, gives the numbers the library transform gives on a
// DataFrame: scalers, imputers, oneHot and labelEncoder (string and number categories, missing and unseen values),
// dateFeatures in UTC; what ONNX cannot reproduce is refused with an error naming it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataFrame } from '../../data/frame.js';
import { dateFeatures } from '../../preprocess/date-features.js';
import { imputer } from '../../preprocess/imputer.js';
import { labelEncoder, oneHot } from '../../preprocess/encoders.js';
import { pipeline as chain } from '../../preprocess/pipeline.js';
import { minMaxScaler, standardScaler } from '../../preprocess/scalers.js';
import type { Transform } from '../../preprocess/transform.js';
import { textVectorizer } from '../../preprocess/text-vectorizer.js';
import { ExportError } from '../errors.js';
import { attr, modelProto, OnnxGraph } from '../../onnx/graph.js';
import { encodeModel } from '../../onnx/encode.js';
import { DataType } from '../../onnx/format.js';
import { PIPELINE_METADATA, PipelineExport, pipelineGraph, type PipelineGraph } from './pipeline.js';
import { inspectModel } from './compose.js';
import { ML_DOMAIN } from './front.js';

/** A model that returns its `[batch, width]` input: the pipeline graph's output is then the transforms' output. */
function identityModel(width: number): Uint8Array {
  const g = new OnnxGraph('identity');
  g.addInput('x', DataType.FLOAT, [null, width]);
  g.addOutput(g.op('Identity', ['x']), DataType.FLOAT, [null, width]);
  return encodeModel(modelProto(g.toProto()));
}

type Row = Record<string, unknown>;

/** Runs the graph on raw `rows` in onnxruntime-node (numbers, strings and dates; missing as NaN and ""). */
async function run(graph: PipelineGraph, rows: readonly Row[]): Promise<Float32Array> {
  const out = await new PipelineExport(undefined, graph).predict(rows);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

/** The library's numbers for `features` after `transform` (missing as NaN), row-major. */
function library(transform: Transform, frame: DataFrame, features: readonly string[]): Float64Array {
  const out = transform.transform(frame);
  const columns = features.map((f) =>
    Array.from(out.array(f) as ArrayLike<unknown>, (v) => (v == null ? NaN : Number(v))),
  );
  const n = frame.numRows();
  return Float64Array.from(
    { length: n * features.length },
    (_, i) => columns[i % features.length]![Math.floor(i / features.length)]!,
  );
}

/** Asserts the graph's numbers equal the library's within float32 rounding, NaN where the library has a missing value. */
function assertClose(graph: ArrayLike<number>, lib: ArrayLike<number>, what: string): void {
  assert.equal(graph.length, lib.length, `${what}: lengths`);
  for (let i = 0; i < lib.length; i++) {
    const [a, b] = [graph[i]!, lib[i]!];
    if (Number.isNaN(b)) assert.ok(Number.isNaN(a), `${what}[${i}]: graph ${a}, library missing`);
    else assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}[${i}]: graph ${a}, library ${b}`);
  }
}

async function check(
  transform: Transform,
  frame: DataFrame,
  features: string[],
  rows: Row[] = frame.objects() as Row[],
): Promise<PipelineGraph> {
  const graph = await pipelineGraph(identityModel(features.length), { transforms: [transform], features });
  assertClose(await run(graph, rows), library(transform, DataFrame.from(rows), features), transform.kind);
  return graph;
}

const numbers = DataFrame.from({ a: [1.5, null, 3, -2, 10], b: [100, 200, NaN, 400, 250] });
const islands = DataFrame.from({
  island: ['Dream', 'Biscoe', null, 'Torgersen', 'Dream', 'Biscoe'],
  year: [2007, 2008, 2009, 2007, null, 2008],
});

describe('export.pipelineGraph: each transform as ONNX operators', () => {
  test('standardScaler is Sub and Div per column; a missing value stays NaN', async () => {
    const graph = await check(standardScaler().fit(numbers), numbers, ['a', 'b']);
    assert.deepEqual(graph.inputs, [
      { name: 'a', type: 'float' },
      { name: 'b', type: 'float' },
    ]);
    assert.ok(graph.operators.includes('Sub') && graph.operators.includes('Div'), graph.operators.join());
  });

  test('minMaxScaler maps the fitted range onto the given one', async () => {
    await check(minMaxScaler({ range: [-1, 1] }).fit(numbers), numbers, ['a', 'b']);
  });

  test('a mean imputer then a scaler fill missing numbers before scaling', async () => {
    await check(chain([imputer({ strategy: 'mean' }), standardScaler()]).fit(numbers), numbers, ['a', 'b']);
  });

  test('oneHot of strings: missing and unseen categories give all zeros (unknown: ignore)', async () => {
    const enc = oneHot({ columns: ['island'] }).fit(islands);
    const features = ['island_Biscoe', 'island_Dream', 'island_Torgersen'];
    const rows = [...(islands.objects() as Row[]), { island: 'Atlantis' }];
    const graph = await check(enc, islands, features, rows);
    assert.deepEqual(graph.inputs, [{ name: 'island', type: 'string' }]);
    assert.ok(graph.operators.includes('LabelEncoder'), graph.operators.join());
  });

  test('oneHot with unknown: error gives NaN for an unseen category, where the server refuses the record', async () => {
    const enc = oneHot({ columns: ['island'], unknown: 'error' }).fit(islands);
    const graph = await pipelineGraph(identityModel(3), { transforms: [enc] });
    const out = await run(graph, [{ island: 'Dream' }, { island: null }, { island: 'Atlantis' }]);
    assert.deepEqual(Array.from(out.subarray(0, 6)), [0, 1, 0, 0, 0, 0]);
    assert.ok(
      Array.from(out.subarray(6)).every(Number.isNaN),
      `unseen gives NaN, got ${Array.from(out.subarray(6)).join(',')}`,
    );
  });

  test('oneHot and labelEncoder of number categories take a float input', async () => {
    const graph = await check(oneHot({ columns: ['year'] }).fit(islands), islands, [
      'year_2007',
      'year_2008',
      'year_2009',
    ]);
    assert.deepEqual(graph.inputs, [{ name: 'year', type: 'float' }]);
    await check(labelEncoder({ columns: ['year'] }).fit(islands), islands, ['year']);
  });

  test('labelEncoder gives the category index; missing stays NaN', async () => {
    await check(labelEncoder({ columns: ['island'] }).fit(islands), islands, ['island']);
  });

  test('a most-frequent imputer before oneHot and labelEncoder fills a missing category with the fitted one', async () => {
    const filled = chain([
      imputer({ strategy: 'most-frequent', columns: ['island'] }),
      oneHot({ columns: ['island'] }),
    ]).fit(islands);
    await check(filled, islands, ['island_Biscoe', 'island_Dream', 'island_Torgersen']);
    const coded = chain([
      imputer({ strategy: 'constant', value: 'Torgersen', columns: ['island'] }),
      labelEncoder({ columns: ['island'] }),
    ]).fit(islands);
    await check(coded, islands, ['island']);
  });

  test('dateFeatures (UTC) is calendar arithmetic on epoch milliseconds, plain and cyclical, across leap years and before 1970', async () => {
    // Seeded dates from 1901 to 2099, with the edges of years, leap days and hours among them.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const start = Date.UTC(1901, 0, 1);
    const span = Date.UTC(2099, 11, 31) - start;
    const fixed = [
      '1970-01-01T00:00:00Z',
      '1969-12-31T23:59:59.999Z',
      '2000-02-29T12:00:00Z',
      '2000-12-31T23:00:00Z',
      '2024-12-31T05:00:00Z',
      '1900-03-01T00:00:00Z',
      '2100-03-01T00:00:00Z',
    ].map((s) => Date.parse(s));
    const dates = [...fixed, ...Array.from({ length: 400 }, () => start + Math.floor(random() * span))].map(
      (ms) => new Date(ms),
    );
    const frame = DataFrame.from({ when: dates });
    for (const cyclical of [false, true]) {
      const step = dateFeatures({ column: 'when', cyclical }).fit(frame);
      const names = step
        .transform(frame)
        .columnNames()
        .filter((n) => n.startsWith('when_'));
      const graph = await check(
        step,
        frame,
        names,
        dates.map((when) => ({ when })),
      );
      assert.deepEqual(graph.inputs, [{ name: 'when', type: 'double' }]);
    }
  });

  test('an ONNX-ML model (a tree ensemble on ai.onnx.ml opset 3) composes, keeping its opset and its nodes', async () => {
    // One regression tree on the scaled feature "a": a < 0 → 10, else 20 (NaN follows the false branch).
    const g = new OnnxGraph('tree');
    g.addInput('x', DataType.FLOAT, [null, 2]);
    const [y] = g.addNode(
      'TreeEnsembleRegressor',
      ['x'],
      {
        n_targets: attr.int(1),
        nodes_treeids: attr.ints([0, 0, 0]),
        nodes_nodeids: attr.ints([0, 1, 2]),
        nodes_featureids: attr.ints([0, 0, 0]),
        nodes_values: attr.floats([0, 0, 0]),
        nodes_modes: attr.strings(['BRANCH_LT', 'LEAF', 'LEAF']),
        nodes_truenodeids: attr.ints([1, 0, 0]),
        nodes_falsenodeids: attr.ints([2, 0, 0]),
        nodes_missing_value_tracks_true: attr.ints([0, 0, 0]),
        target_treeids: attr.ints([0, 0]),
        target_nodeids: attr.ints([1, 2]),
        target_ids: attr.ints([0, 0]),
        target_weights: attr.floats([10, 20]),
      },
      { domain: ML_DOMAIN },
    );
    g.addOutput(y!, DataType.FLOAT, [null, 1]);
    const tree = encodeModel({
      ...modelProto(g.toProto()),
      opsetImport: [
        { domain: '', version: 17 },
        { domain: ML_DOMAIN, version: 3 },
      ],
    });
    const graph = await pipelineGraph(tree, { transforms: [standardScaler().fit(numbers)] });
    assert.deepEqual(
      inspectModel(graph.data).opsets,
      new Map([
        ['', 17],
        [ML_DOMAIN, 3],
      ]),
    );
    assert.ok(
      graph.operators.includes('TreeEnsembleRegressor') && graph.operators.includes('Sub'),
      graph.operators.join(),
    );
    // a's mean is 3.125: below it → 10, above → 20; a missing a stays NaN and takes the false branch.
    assert.deepEqual(
      Array.from(
        await run(graph, [
          { a: 1.5, b: 1 },
          { a: 10, b: 1 },
          { a: null, b: 1 },
        ]),
      ),
      [10, 20, 20],
    );
  });

  test("the graph stores its raw inputs and features as metadata and keeps the model's outputs", async () => {
    const graph = await pipelineGraph(identityModel(2), { transforms: [standardScaler().fit(numbers)] });
    assert.deepEqual(graph.features, ['a', 'b']);
    assert.deepEqual(
      graph.outputs.map((o) => o.name),
      inspectModel(identityModel(2)).outputs.map((o) => o.name),
    );
    assert.ok(new TextDecoder().decode(graph.data).includes(PIPELINE_METADATA));
  });
});

describe('export.pipelineGraph: what ONNX cannot hold is an error naming it', () => {
  const refused = async (transforms: unknown[], width: number, code: string, pattern: RegExp, features?: string[]) => {
    await assert.rejects(
      pipelineGraph(identityModel(width), { transforms, ...(features ? { features } : {}) }),
      (error: unknown) => {
        assert.ok(error instanceof ExportError, String(error));
        assert.equal(error.code, code);
        assert.match(error.message, pattern);
        return true;
      },
    );
  };

  test('a text vectorizer names the operators that cannot reproduce it and the server that can', async () => {
    await refused(
      [textVectorizer({ outputMode: 'multiHot' }).fit(['a b c', 'b c d'])],
      4,
      'LEPTON_UNSUPPORTED_TRANSFORM',
      /textVectorizer.*StringSplit.*Lepton server/s,
    );
  });

  test('a transform of another kind (an image augmenter) says image decoding stays on the server', async () => {
    await refused(
      [{ kind: 'augmenter', version: 1, config: {}, state: {} }],
      1,
      'LEPTON_UNSUPPORTED_TRANSFORM',
      /augmenter transform has no ONNX form.*Image decoding.*Lepton server/s,
    );
  });

  test('dateFeatures in a time zone names the zone', async () => {
    const frame = DataFrame.from({ when: [new Date(0)] });
    await refused(
      [dateFeatures({ column: 'when', features: ['hour'], cyclical: false, timeZone: 'Europe/Paris' }).fit(frame)],
      1,
      'LEPTON_UNSUPPORTED_TRANSFORM',
      /Europe\/Paris.*UTC/,
      ['when_hour'],
    );
  });

  test('boolean categories ask for strings or numbers', async () => {
    const frame = DataFrame.from({ flag: [true, false, true] });
    await refused([oneHot({ columns: ['flag'] }).fit(frame)], 2, 'LEPTON_UNSUPPORTED_TRANSFORM', /booleans.*strings/);
  });

  test('features that do not match the model input say so', async () => {
    await refused([standardScaler().fit(numbers)], 3, 'LEPTON_BAD_PIPELINE', /give 2 columns.*takes 3/);
  });

  test('a transform not fitted is named', async () => {
    await refused([standardScaler()], 2, 'LEPTON_BAD_PIPELINE', /transforms\[0\] \(standardScaler\) is not fitted/);
  });
});
