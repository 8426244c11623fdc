import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backend } from '../backend/select.js';
import { penguins } from '../datasets/datasets.js';
import { permutation, seededRandom } from '../core/random.js';
import { getHost, setHost } from '../display/host.js';
import { mlp } from '../models/mlp.js';
import { parseStudyFile, serializeStudyFile } from './format.js';
import { float, int } from './space.js';
import { Study } from './study.js';
import { Trial, TuneError } from './trial.js';
import { tune, last, type TuneOptions } from './tune.js';
import { recordingHost } from '../display/testing.js';

const space = { x: float(-2, 2), k: int(1, 5) };
type P = { x: number; k: number };
const score = (p: P) => -((p.x - 0.5) ** 2) - 0.1 * Math.abs(p.k - 3);
const quiet: TuneOptions = { live: false, objective: 'score', direction: 'max', seed: 11 };

describe('lepton.tune', () => {
  const previous = getHost();
  const rec = recordingHost();
  const dir = mkdtempSync(join(tmpdir(), 'lepton-tune-test-'));
  before(async () => {
    setHost(rec.host);
    await backend('wasm');
  });
  after(() => {
    setHost(previous);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a build that throws in one trial marks that trial failed with its message, and the search goes on', async () => {
    const study = await tune(
      (p: P, trial: Trial) => {
        if (trial.number === 2) throw new Error('units must be even');
        return score(p);
      },
      space,
      { ...quiet, trials: 6 },
    );
    assert.equal(study.trials.length, 6);
    assert.equal(study.trials[2]!.status, 'failed');
    assert.equal(study.trials[2]!.error, 'units must be even');
    assert.equal(study.trials.filter((t) => t.status === 'complete').length, 5);
  });

  test('a build that fails every trial stops the search after stopAfterFailures in a row, saying why', async () => {
    rec.outputs.length = 0;
    const study = await tune(
      () => {
        throw new Error('model.compile was not called');
      },
      space,
      { ...quiet, live: true, trials: 20, stopAfterFailures: 3 },
    );
    assert.equal(study.trials.length, 3);
    const table = rec.outputs.filter((o) => o.id?.endsWith('-table')).at(-1)!.bundle['text/plain'] as string;
    assert.match(table, /Stopped after 3 failed trials in a row \(the last: model\.compile was not called\)/);
    assert.throws(() => study.best, {
      code: 'LEPTON_TUNE_NO_BEST_TRIAL',
      message: /has no best trial: all 3 finished trials failed.*model\.compile was not called/,
    });
  });

  test('bad input fails before any trial with a message naming the fix', async () => {
    await assert.rejects(
      tune(() => 1, {}, quiet),
      /search space is empty/,
    );
    await assert.rejects(
      tune(() => 1, { lr: float(1, 0.1) }, quiet),
      /'lr' has low 1 ≥ high 0\.1/,
    );
    await assert.rejects(
      tune(() => 1, space, { ...quiet, trials: 0 }),
      /trials must be a whole number ≥ 1/,
    );
    await assert.rejects(
      tune(() => 1, space, { ...quiet, strategy: 'grid' as 'tpe' }),
      /Unknown strategy 'grid': use 'random', 'tpe' or 'hyperband'/,
    );
    await assert.rejects(
      tune(() => 'oops' as unknown as number, space, quiet),
      (e: Error) => e instanceof TuneError && /build returned string: return a tf\.LayersModel/.test(e.message),
    );
    await assert.rejects(
      tune(() => mlp({ inputs: 2, hidden: [2], classes: 2 }), space, quiet),
      /build returned a model, but there is no data to train it on: pass \{ data \}/,
    );
  });

  test('the study is saved after every trial, and a later call resumes it to the same trials as one uninterrupted run', async () => {
    const path = join(dir, 'resume.json');
    const options = { ...quiet, strategy: 'tpe' as const, tpe: { startupTrials: 4 }, path };
    const first = await tune((p: P) => score(p), space, { ...options, trials: 6 });
    assert.equal(parseStudyFile(readFileSync(path, 'utf8'), path).trials.length, 6);
    const resumed = await tune((p: P) => score(p), space, { ...options, trials: 10 });
    assert.equal(resumed.trials.length, 10);
    assert.deepEqual(resumed.trials.slice(0, 6), first.trials);
    const straight = await tune((p: P) => score(p), space, {
      ...quiet,
      strategy: 'tpe',
      tpe: { startupTrials: 4 },
      trials: 10,
    });
    assert.deepEqual(
      resumed.trials.map((t) => t.params),
      straight.trials.map((t) => t.params),
    );
    const loaded = await Study.load(path);
    assert.deepEqual(loaded.best.params, resumed.best.params);
    assert.deepEqual(
      (JSON.parse(serializeStudyFile(loaded.toJSON())) as { trials: unknown }).trials,
      (JSON.parse(readFileSync(path, 'utf8')) as { trials: unknown }).trials,
      'the file round-trips',
    );
  });

  test('resuming with another space, strategy or seed is refused with the difference named', async () => {
    const path = join(dir, 'mismatch.json');
    await tune((p: P) => score(p), space, { ...quiet, path, trials: 2 });
    await assert.rejects(
      tune(() => 1, { x: float(-2, 3), k: int(1, 5) }, { ...quiet, path, trials: 3 }),
      /made with the space \{ x: float -2…2; k: int 1…5 \}, not \{ x: float -2…3; k: int 1…5 \}.*resume: false to start over/,
    );
    await assert.rejects(
      tune(() => 1, space, { ...quiet, path, strategy: 'random', trials: 3 }),
      /made with the strategy tpe, not random/,
    );
    await assert.rejects(
      tune(() => 1, space, { ...quiet, path, seed: 12, trials: 3 }),
      /made with the seed 11, not 12/,
    );
    const fresh = await tune(() => 1, space, { ...quiet, path, strategy: 'random', resume: false, trials: 1 });
    assert.equal(fresh.trials.length, 1);
    writeFileSync(join(dir, 'broken.json'), '{"format": "something else"}');
    await assert.rejects(
      tune(() => 1, space, { ...quiet, path: join(dir, 'broken.json') }),
      /broken\.json is not a valid study file: its "format" is not "lepton\.study"/,
    );
  });

  test('interrupting the cell stops the search and keeps the finished trials, in the returned study and on disk', async () => {
    rec.outputs.length = 0;
    const path = join(dir, 'interrupted.json');
    try {
      const study = await tune(
        (p: P, trial: Trial) => {
          if (trial.number === 3) rec.interrupt();
          return score(p);
        },
        space,
        { ...quiet, live: true, path, trials: 10 },
      );
      assert.equal(study.trials.length, 3);
      assert.equal(last(), study);
      assert.equal(parseStudyFile(readFileSync(path, 'utf8'), path).trials.length, 3);
      const table = rec.outputs.filter((o) => o.id?.endsWith('-table')).at(-1)!.bundle['text/plain'] as string;
      assert.match(
        table,
        /Interrupted during trial 3: the 3 finished trials are saved in .*interrupted\.json; run the cell again to resume/,
      );
    } finally {
      rec.reset();
    }
    const resumed = await tune((p: P) => score(p), space, { ...quiet, path, trials: 5 });
    assert.deepEqual(
      resumed.trials.map((t) => t.number),
      [0, 1, 2, 3, 4],
    );
  });

  test('the live view shows a chart and a table under display ids, updates them in place, and ends with the best configurations', async () => {
    rec.outputs.length = 0;
    await tune((p: P) => score(p), space, { ...quiet, live: true, trials: 4 });
    const shown = rec.outputs.filter((o) => o.kind === 'display');
    assert.equal(shown.length, 2);
    assert.ok(shown[0]!.bundle['application/vnd.vegalite.v5+json'], 'the chart is Vega-Lite');
    assert.match(String(shown[0]!.bundle['image/svg+xml']), /^<svg/);
    assert.ok(
      rec.outputs.filter((o) => o.kind === 'update').every((o) => o.id === shown[0]!.id || o.id === shown[1]!.id),
    );
    const finalChart = rec.outputs.filter((o) => o.id === shown[0]!.id).at(-1)!.bundle[
      'application/vnd.vegalite.v5+json'
    ] as { hconcat: { layer: { data: { values: unknown[] } }[] }[] };
    assert.equal(finalChart.hconcat[0]!.layer[0]!.data.values.length, 4, 'one point per trial');
    assert.equal(finalChart.hconcat[1]!.layer[0]!.data.values.length, 8, 'one line per trial through both parameters');
    const html = rec.outputs.filter((o) => o.id === shown[1]!.id).at(-1)!.bundle['text/html'] as string;
    assert.match(html, /Finished study: 4 trials \(4 complete, 0 pruned, 0 failed\)/);
    assert.match(html, /<table>.*<th>rank<\/th><th>trial<\/th><th>score<\/th><th>x<\/th><th>k<\/th>/s);
  });

  test('penguins: trains a small MLP per trial, gives the best trained model, and brings it back on resume', async () => {
    const features = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
    const clean = penguins().filter(
      (d: Record<string, unknown>) => d['Body Mass (g)'] != null && d['Beak Length (mm)'] != null,
    );
    const raw = clean.toTensor(features);
    const x = tf.tidy(() => raw.sub(raw.mean(0)).div(tf.moments(raw, 0).variance.sqrt()));
    const species = clean.column('Species') as string[];
    const names = [...new Set(species)];
    const y = tf.tensor1d(
      species.map((s) => names.indexOf(s)),
      'int32',
    );
    // Shuffled once (seeded), so validation rows hold every species.
    const idx = tf.tensor1d(permutation(x.shape[0], seededRandom(5)), 'int32');
    const data = { x: tf.gather(x, idx), y: tf.gather(y, idx) };
    const path = join(dir, 'penguins.json');
    const build = (p: { lr: number; units: number }, trial: Trial) => {
      const model = mlp({ inputs: 4, hidden: [p.units], classes: 3, seed: trial.seed });
      model.compile({ optimizer: tf.train.adam(p.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      return model;
    };
    const penguinSpace = { lr: float(1e-3, 1e-1, { log: true }), units: int(4, 16) };
    const study = await tune(build, penguinSpace, {
      live: false,
      data,
      fit: { validation: 0.25, batchSize: 32 },
      epochs: 3,
      trials: 3,
      seed: 1,
      path,
    });
    assert.equal(study.objective, 'val_acc');
    assert.equal(study.trials.filter((t) => t.status === 'complete').length, 3);
    const best = study.best;
    assert.ok(best.value > 0.3 && best.value <= 1, `best val_acc ${best.value}`);
    assert.ok(best.model instanceof tf.LayersModel);
    assert.deepEqual(
      best.trial.intermediate.map(([e]) => e),
      [1, 2, 3],
    );
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('penguins.trial-')),
      [`penguins.trial-${best.number}.model`],
      'only the best model is kept on disk',
    );
    const prediction = (best.model.predict(data.x.slice(0, 5)) as tf.Tensor).arraySync();
    const again = await tune(build, penguinSpace, {
      live: false,
      data,
      fit: { validation: 0.25, batchSize: 32 },
      epochs: 3,
      trials: 3,
      path,
    });
    assert.equal(again.trials.length, 3, 'nothing left to run');
    assert.ok(existsSync(path));
    assert.deepEqual(
      (again.best.model!.predict(data.x.slice(0, 5)) as tf.Tensor).arraySync(),
      prediction,
      'the resumed study holds the same trained model',
    );
  });
});
