// One training measurement in a fresh process (so its peak memory is its own):
// `node train-worker.js lepton|stock` prints one JSON line of samples/s and peak RSS.
// lepton: Lepton's default backend with its kernels, trained through lepton.fit; stock: tfjs-backend-wasm as shipped.
import * as tf from '@tensorflow/tfjs';
import { referenceCnn, referenceMlp } from '../reference-models.js';

const which = process.argv[2] === 'stock' ? 'stock' : 'lepton';

async function main() {
  let train: (model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, epochs: number) => Promise<unknown>;
  let backend: string;
  if (which === 'lepton') {
    const lepton = await import('@lepton/lib');
    backend = (await lepton.backend()).name;
    train = (model, x, y, epochs) => lepton.fit(model, { x, y }, { epochs, batchSize: 64, live: false, seed: 1 });
  } else {
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    backend = 'wasm (stock)';
    // tfjs types `verbose` as its ModelLoggingVerbosity enum but does not export it; 0 is its SILENT.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the enum is not importable
    train = (model, x, y, epochs) => model.fit(x, y, { epochs, batchSize: 64, verbose: 0 });
  }
  const result: Record<string, number | string | null> = { backend };
  const n = 2048;
  const labels = () => tf.oneHot(tf.randomUniform([n], 0, 10, 'int32'), 10).toFloat();

  const cnn = referenceCnn();
  cnn.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const images = tf.randomNormal([n, 28, 28, 1]);
  const y = labels();
  try {
    await train(cnn, images, y, 1);
    const t = performance.now();
    await train(cnn, images, y, 3);
    result.cnn_train = Math.round((3 * n) / ((performance.now() - t) / 1000));
  } catch (error) {
    result.cnn_train = null;
    result.cnn_train_error = (error as Error).message;
  }
  tf.tidy(() => cnn.predict(images, { batchSize: 256 }));
  const t2 = performance.now();
  for (let i = 0; i < 5; i++) tf.tidy(() => (cnn.predict(images, { batchSize: 256 }) as tf.Tensor).dataSync());
  result.cnn_infer = Math.round((5 * n) / ((performance.now() - t2) / 1000));

  const mlp = referenceMlp();
  mlp.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const flat = tf.randomNormal([4 * n, 784]);
  const y4 = tf.oneHot(tf.randomUniform([4 * n], 0, 10, 'int32'), 10).toFloat();
  await train(mlp, flat, y4, 1);
  const t3 = performance.now();
  await train(mlp, flat, y4, 2);
  result.mlp_train = Math.round((2 * 4 * n) / ((performance.now() - t3) / 1000));
  result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify(result));
}

await main();
