// Lepton's side of the tflite suite, in a fresh process: `node tflite-worker.js WORK_DIR` trains the reference CNN
// (seeded) on 8,000 MNIST digits, exports it with lepton.export.tflite as float32 and as full-integer int8
// (calibrated on 256 training digits), and writes to WORK_DIR what the Python peer needs to build the same model in
// Keras with the same weights and convert it with TFLiteConverter: each weight as raw float32, the calibration digits
// and the 2,000 test digits as raw arrays, and the two .tflite files. Prints one JSON line (the manifest).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';

/** What the worker hands to the suite and the peer script. */
export interface TfliteManifest {
  /** The Keras layers to rebuild, in order, with their weight files (tfjs and Keras share weight layouts). */
  layers: {
    kind: 'conv' | 'pool' | 'flatten' | 'dense';
    units?: number | undefined;
    activation?: string | undefined;
    weights?: { path: string; shape: number[] }[];
  }[];
  calibration: { path: string; rows: number };
  test: { x: string; y: string; rows: number };
  /** Lepton's files. */
  files: { fp32: string; int8: string };
  trainSeconds: number;
}

const CALIBRATION_ROWS = 256;

function writeRaw(path: string, data: Float32Array | Int32Array): string {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return path;
}

async function main(dir: string): Promise<void> {
  const mnist = lepton.datasets.mnist({ testSize: 0.2, seed: 0 });
  // The reference CNN's layers (conv 8 and 16, 3×3 valid + relu, 2×2 max pooling, dense 64 relu, dense 10 softmax).
  const model = lepton.models.cnn({
    inputShape: [28, 28, 1],
    filters: [8, 16],
    padding: 'valid',
    dense: 64,
    dropout: 0,
    classes: 10,
    seed: 1,
  });
  const t0 = performance.now();
  await lepton.fit(
    model,
    { x: mnist.train.images, y: mnist.train.labels },
    {
      loss: 'sparseCategoricalCrossentropy',
      optimizer: tf.train.adam(0.002),
      epochs: 4,
      batchSize: 32,
      seed: 1,
      live: false,
    },
  );
  const trainSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const calibration = mnist.train.images.slice(0, CALIBRATION_ROWS);
  const fp32 = join(dir, 'lepton-fp32.tflite');
  const int8 = join(dir, 'lepton-int8.tflite');
  await lepton.export.tflite(model, fp32);
  await lepton.export.tflite(model, int8, { quantize: 'int8', calibration });
  const layers: TfliteManifest['layers'] = model.layers.map((layer, i) => {
    const kinds: Partial<Record<string, TfliteManifest['layers'][number]['kind']>> = {
      Conv2D: 'conv',
      MaxPooling2D: 'pool',
      Flatten: 'flatten',
      Dense: 'dense',
    };
    const kind = kinds[layer.getClassName()];
    if (!kind) throw new Error(`the bench CNN has an unexpected layer ${layer.getClassName()}`);
    const config = layer.getConfig() as { filters?: number; units?: number; activation?: string };
    const weights = layer.getWeights().map((w, k) => ({
      path: writeRaw(join(dir, `w${i}_${k}.f32`), w.dataSync() as Float32Array),
      shape: w.shape,
    }));
    return { kind, units: config.filters ?? config.units, activation: config.activation, weights };
  });
  const manifest: TfliteManifest = {
    layers,
    calibration: {
      path: writeRaw(join(dir, 'calibration.f32'), calibration.dataSync() as Float32Array),
      rows: CALIBRATION_ROWS,
    },
    test: {
      x: writeRaw(join(dir, 'test-x.f32'), mnist.test.images.dataSync() as Float32Array),
      y: writeRaw(join(dir, 'test-y.i32'), mnist.test.labels.dataSync() as Int32Array),
      rows: mnist.test.images.shape[0],
    },
    files: { fp32, int8 },
    trainSeconds,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  console.log(JSON.stringify(manifest));
}

await main(process.argv[2]!);
