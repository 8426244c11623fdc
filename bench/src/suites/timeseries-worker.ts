// Lepton's side of the timeseries suite, in its own process: node timeseries-worker.js (frame|lstm) DATA_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lepton from '@lepton/lib';
import * as tf from '@tensorflow/tfjs';
import { bestOfThreeMs } from '../timing.js';

const [mode, dataDir = ''] = process.argv.slice(2);
// The peer script's geometry (bench/python/timeseries_peer.py).
const INPUT = 24;
const STRIDE = 24;
const LSTM_SAMPLES = 4096;
const LSTM_STEPS = 24;
const LSTM_EPOCHS = 3;
const BATCH = 32;

function f64(name: string): Float64Array {
  const bytes = readFileSync(join(dataDir, name));
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function f32(name: string): Float32Array {
  const bytes = readFileSync(join(dataDir, name));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Best of 3 after a warm-up, as the peer script measures. */
const ms = bestOfThreeMs;

if (mode === 'frame') {
  // The backend a notebook gets (the kernel selects it at start): windows are written into its memory.
  await lepton.backend();
  const frame = lepton.DataFrame.from({ date: f64('t.f64'), v: f64('v.f64') });
  const hours = frame.resample('date', '1H', { agg: 'mean' });
  const resample = ms(() => void frame.resample('date', '1H', { agg: 'mean' }));
  const cut = () => {
    const w = lepton.preprocess.windows(frame, { features: ['v'], target: 'v', inputWidth: INPUT, stride: STRIDE });
    w.x.dispose();
    w.y.dispose();
  };
  const w = lepton.preprocess.windows(frame, { features: ['v'], target: 'v', inputWidth: INPUT, stride: STRIDE });
  console.log(
    JSON.stringify({
      rows: frame.numRows(),
      resample_ms: resample,
      windows_ms: ms(cut),
      bins: hours.numRows(),
      first_mean: hours.get('v', 0) as unknown,
      windows: w.x.shape[0],
    }),
  );
} else if (mode === 'lstm') {
  const backend = (await lepton.backend()).name;
  const x = tf.tensor3d(f32('x.f32'), [LSTM_SAMPLES, LSTM_STEPS, 1]);
  const y = tf.tensor2d(f32('y.f32'), [LSTM_SAMPLES, 1]);
  const model = lepton.models.lstm({ steps: LSTM_STEPS, features: 1, units: [32], seed: 1 });
  model.compile({ optimizer: tf.train.adam(), loss: 'meanSquaredError' });
  // Warm-up epoch, as Keras's first epoch traces its graph.
  await lepton.fit(model, { x, y }, { epochs: 1, batchSize: BATCH, seed: 1, live: false });
  const t = performance.now();
  const history = await lepton.fit(model, { x, y }, { epochs: LSTM_EPOCHS, batchSize: BATCH, seed: 1, live: false });
  const seconds = (performance.now() - t) / 1000;
  console.log(
    JSON.stringify({
      backend,
      samples_per_s: Math.round(((LSTM_SAMPLES * LSTM_EPOCHS) / seconds) * 10) / 10,
      loss: history.last.loss,
    }),
  );
} else {
  throw new Error('usage: timeseries-worker.js (frame|lstm) DATA_DIR');
}
