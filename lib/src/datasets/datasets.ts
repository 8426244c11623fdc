/**
 * Offline datasets, read from the `vega-datasets` and `mnist` packages on disk (no network), and kept in memory
 * after the first load.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { encodePng } from '../display/png.js';
import type * as TF from '@tensorflow/tfjs';
import { leptonHome } from '@lepton/server/home';
import { splitIndices } from '../preprocess/split.js';
import { badArgument } from '../data/errors.js';
import { DataFrame } from '../data/frame.js';
import { arrowBytes, csvText, jsonText } from '../data/read.js';
import { parseParquet } from '../data/parquet.js';
import { tfjs } from '../core/tfjs.js';

const require = createRequire(import.meta.url);
const cache = new Map<string, DataFrame>();

/** The folder of vega-datasets' data files (its package exports only CDN URLs, so the files are read by path). */
export function vegaDataDir(): string {
  return join(dirname(require.resolve('vega-datasets')), '..', 'data');
}

function cached(key: string, load: () => DataFrame): DataFrame {
  let frame = cache.get(key);
  if (!frame) cache.set(key, (frame = load()));
  return frame;
}

const vegaText = (file: string) => readFileSync(join(vegaDataDir(), file), 'utf8');

/**
 * Palmer penguins: 344 penguins of three species (Species, Island, Beak Length (mm), Beak Depth (mm),
 * Flipper Length (mm), Body Mass (g), Sex), with the missing values of the original data.
 * @example lepton.datasets.penguins().valueCounts('Species')
 */
export function penguins(): DataFrame {
  return cached('penguins', () => jsonText(vegaText('penguins.json')));
}

/**
 * 406 cars of the 1970s and early 1980s: Name, Miles_per_Gallon, Cylinders, Displacement, Horsepower,
 * Weight_in_lbs, Acceleration, Year (a date) and Origin.
 * @example lepton.plot.scatter(lepton.datasets.cars(), { x: 'Horsepower', y: 'Miles_per_Gallon', color: 'Origin' })
 */
export function cars(): DataFrame {
  return cached('cars', () => jsonText(vegaText('cars.json'), { types: { Year: 'date' } }));
}

/**
 * Daily Seattle weather 2012–2015: date, precipitation, temp_max, temp_min, wind and weather.
 * @example lepton.datasets.seattleWeather().groupby('weather').count()
 */
export function seattleWeather(): DataFrame {
  return cached('seattleWeather', () => csvText(vegaText('seattle-weather.csv')));
}

/** Options of `flights`. */
export interface FlightsOptions {
  /**
   * Which file: `arrow` (flights-200k.arrow: delay, distance, time; up to 200,000 rows) or `parquet`
   * (flights-3m.parquet: date, delay, distance, origin, destination; up to 3,000,000 rows, zstd-compressed). Default: arrow up to 200,000 rows, parquet above.
   */
  source?: 'arrow' | 'parquet';
}

/**
 * The first `n` US flights of 2001 (default 200,000), from vega-datasets' Arrow or Parquet file.
 * @example const flights = await lepton.datasets.flights(50_000)
 */
export async function flights(n = 200_000, options: FlightsOptions = {}): Promise<DataFrame> {
  if (!Number.isInteger(n) || n < 1) throw badArgument(`flights: n must be a positive whole number of rows, got ${n}.`);
  const source = options.source ?? (n <= 200_000 ? 'arrow' : 'parquet');
  if (source === 'arrow') {
    if (n > 200_000)
      throw badArgument(
        `flights: the Arrow file has 200,000 rows; ask for at most that, or use { source: 'parquet' } (3,000,000 rows).`,
      );
    const all = cached('flights-arrow', () =>
      arrowBytes(readFileSync(join(vegaDataDir(), 'flights-200k.arrow')), {}, 'flights-200k.arrow'),
    );
    return n === all.numRows() ? all : DataFrame.from(all.slice(0, n).reify());
  }
  if (n > 3_000_000) throw badArgument(`flights: the Parquet file has 3,000,000 rows; ask for at most that.`);
  const key = `flights-parquet-${n}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const bytes = readFileSync(join(vegaDataDir(), 'flights-3m.parquet'));
  const frame = DataFrame.fromColumns(await parseParquet(bytes, { rowEnd: n }, 'flights-3m.parquet'));
  cache.set(key, frame);
  return frame;
}

/** Images and labels of one part of MNIST. */
export interface MnistPart {
  /** [n, 28, 28, 1] float32 pixels in [0, 1]. */
  images: TF.Tensor4D;
  /** [n] int32 digits 0–9. */
  labels: TF.Tensor1D;
}

/** MNIST split into train and test parts. */
export interface Mnist {
  /** The training images and labels. */
  train: MnistPart;
  /** The held-out test images and labels (`testSize` of the images, stratified by digit). */
  test: MnistPart;
  /** The class names, '0' to '9'. */
  classes: string[];
}

/** Options of `mnist`. */
export interface MnistOptions {
  /** Test share: a fraction in (0, 1) or a number of images (default 0.2). */
  testSize?: number;
  /** Seed of the split (default 0). */
  seed?: number;
  /** Use only the first `n` images of a seeded shuffle (default: all 10,000), split stratified. */
  n?: number;
}

let digits: { pixels: Float32Array; labels: Int32Array } | undefined;

/** All 10,000 digits of the `mnist` package, read once. */
function loadDigits(): { pixels: Float32Array; labels: Int32Array } {
  if (digits) return digits;
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts = Array.from(
    { length: 10 },
    (_, d) => (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data,
  );
  const total = parts.reduce((sum, p) => sum + p.length / 784, 0);
  const pixels = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let at = 0;
  parts.forEach((data, d) => {
    pixels.set(data, at * 784);
    labels.fill(d, at, at + data.length / 784);
    at += data.length / 784;
  });
  return (digits = { pixels, labels });
}

/**
 * MNIST digits from the `mnist` package (10,000 images, no download): a seeded, stratified train/test split of
 * [n, 28, 28, 1] images in [0, 1] and int32 labels. Each call makes new tensors (dispose them when done).
 * @example const { train, test } = lepton.datasets.mnist({ testSize: 0.2, seed: 1 })
 */
export function mnist(options: MnistOptions = {}): Mnist {
  const all = loadDigits();
  let rows: Int32Array = Int32Array.from(all.labels.keys());
  if (options.n !== undefined) {
    if (!Number.isInteger(options.n) || options.n < 2 || options.n > all.labels.length) {
      throw badArgument(`mnist: n must be a whole number from 2 to ${all.labels.length}, got ${options.n}.`);
    }
    const pick = splitIndices(all.labels.length, { testSize: options.n, seed: options.seed ?? 0, labels: all.labels });
    rows = pick.test;
  }
  const labels = Int32Array.from(rows, (r) => all.labels[r]!);
  const parts = splitIndices(rows.length, { testSize: options.testSize ?? 0.2, seed: options.seed ?? 0, labels });
  const tf = tfjs();
  const part = (positions: Int32Array): MnistPart => {
    const images = new Float32Array(positions.length * 784);
    const y = new Int32Array(positions.length);
    positions.forEach((p, i) => {
      const r = rows[p]!;
      images.set(all.pixels.subarray(r * 784, (r + 1) * 784), i * 784);
      y[i] = all.labels[r]!;
    });
    return { images: tf.tensor4d(images, [positions.length, 28, 28, 1]), labels: tf.tensor1d(y, 'int32') };
  };
  return { train: part(parts.train), test: part(parts.test), classes: Array.from({ length: 10 }, (_, d) => String(d)) };
}

/** Options of `mnistFolder`. */
export interface MnistFolderOptions {
  /** The folder to write (default `<Lepton home>/datasets/mnist-png`). */
  dir?: string;
  /** How many digits, a seeded stratified sample of the 10,000 (default 2,000). */
  n?: number;
  /** Seed of the sample (default 0). */
  seed?: number;
}

/**
 * Writes digits of the `mnist` package (no download) as 28×28 grey PNG files in one sub-folder per digit
 * (`0/` … `9/`), the layout `lepton.read.images` reads: real image files to try the image workflow on, as no
 * npm or Debian package ships a labelled photo set. Files already there are rewritten with the same bytes.
 * @returns the folder
 * @example const dir = lepton.datasets.mnistFolder({ n: 2000 }); const ds = await lepton.read.images(dir, { channels: 1 })
 */
export function mnistFolder(options: MnistFolderOptions = {}): string {
  const all = loadDigits();
  const n = options.n ?? 2000;
  if (!Number.isInteger(n) || n < 10 || n > all.labels.length)
    throw badArgument(`mnistFolder: n must be a whole number from 10 to ${all.labels.length}, got ${n}.`);
  const dir = resolve(options.dir ?? join(leptonHome(), 'datasets', 'mnist-png'));
  const rows =
    n === all.labels.length
      ? Int32Array.from(all.labels.keys())
      : splitIndices(all.labels.length, { testSize: n, seed: options.seed ?? 0, labels: all.labels }).test;
  for (let d = 0; d < 10; d++) mkdirSync(join(dir, String(d)), { recursive: true });
  for (const r of rows) {
    const data = Uint8Array.from(all.pixels.subarray(r * 784, (r + 1) * 784), (v) => Math.round(v * 255));
    writeFileSync(
      join(dir, String(all.labels[r]), `${String(r).padStart(5, '0')}.png`),
      encodePng({ width: 28, height: 28, channels: 1, data }),
    );
  }
  return dir;
}
export { spamAssassin } from '../data/spam-assassin.js';
