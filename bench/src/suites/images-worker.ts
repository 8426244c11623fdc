// One measurement of the images bench in a fresh process (so peak memory is this work's own):
//   make DIR                  writes the bench folder (10 classes × 1,000 JPEG files, 256×256), once
//   load DIR CACHE            lepton.read.images at 32×32 + one epoch of batches(64); prints images/s and peak RSS
//   train DIR CACHE N         the 32×32×3 CIFAR CNN trained on N images with lepton.fit; prints samples/s
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';

const [mode, dir, cache, count] = process.argv.slice(2);
const peakMb = () => process.resourceUsage().maxRSS / 1024;

/** A 256×256 photo-like JPEG: a smooth two-colour gradient with a disc, seeded by `seed`. */
async function photo(seed: number): Promise<Buffer> {
  // A small seeded generator, so the folder is the same on every machine.
  let state = seed >>> 0;
  const rand = () => (state = (Math.imul(state ^ (state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 4294967296;
  const [a, b, c] = [0, 1, 2].map(() => [rand(), rand(), rand()].map((v) => Math.round(v * 255)));
  const [cx, cy, r] = [rand() * 256, rand() * 256, 20 + rand() * 60];
  const px = Buffer.alloc(256 * 256 * 3);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const t = (x + y) / 510;
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      for (let k = 0; k < 3; k++)
        px[(y * 256 + x) * 3 + k] = inside
          ? c![k]!
          : Math.round(a![k]! * (1 - t) + b![k]! * t + (((x * 7 + y * 13 + seed) % 17) - 8));
    }
  }
  return sharp(px, { raw: { width: 256, height: 256, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

async function make(): Promise<object> {
  const done = join(dir!, '.complete');
  if (existsSync(done)) return { made: false };
  for (let c = 0; c < 10; c++) {
    mkdirSync(join(dir!, `class${c}`), { recursive: true });
    const files = Array.from({ length: 1000 }, (_, i) => i);
    for (let i = 0; i < files.length; i += 16) {
      await Promise.all(
        files.slice(i, i + 16).map(async (j) => {
          writeFileSync(join(dir!, `class${c}`, `${j}.jpg`), await photo(c * 1000 + j + 1));
        }),
      );
    }
  }
  writeFileSync(done, '');
  return { made: true };
}

async function load(): Promise<object> {
  const start = performance.now();
  const ds = await lepton.read.images(dir!, { size: [32, 32], cache: cache! });
  let n = 0;
  await ds.batches(64).forEachAsync(({ xs, ys }) => {
    n += xs.shape[0];
    tf.dispose([xs, ys]);
  });
  const seconds = (performance.now() - start) / 1000;
  return { images: n, seconds, images_per_s: n / seconds, peak_rss_mb: peakMb() };
}

async function train(): Promise<object> {
  const n = Number(count);
  const ds = await lepton.read.images(dir!, { size: [32, 32], cache: cache!, limit: n, seed: 1 });
  const { x, y } = await ds.tensors();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const options = { loss: 'sparseCategoricalCrossentropy', batchSize: 64, seed: 1, live: false } as const;
  await lepton.fit(model, { x: x.slice(0, 256), y: y.slice(0, 256) }, { ...options, epochs: 1 });
  const start = performance.now();
  await lepton.fit(model, { x, y }, { ...options, epochs: 2 });
  const seconds = (performance.now() - start) / 1000;
  return { samples: 2 * n, seconds, samples_per_s: (2 * n) / seconds, backend: tf.getBackend() };
}

const out = mode === 'make' ? await make() : mode === 'load' ? await load() : await train();
console.log(JSON.stringify(out));
