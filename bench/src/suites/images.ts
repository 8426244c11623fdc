import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, leptonProcessEnv, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';

const here = dirname(fileURLToPath(import.meta.url));
const anchorPython = join(anchorsDir, 'venv', 'bin', 'python');
const peerScript = join(repoRoot, 'bench', 'python', 'images_peer.py');
/** The bench folder: 10,000 JPEG files of 256×256, made once (LEPTON_BENCH_IMAGES overrides). */
const folder = process.env.LEPTON_BENCH_IMAGES ?? join(tmpdir(), 'lepton-bench-images');
/** Images the CNN trains on (two timed epochs). */
const TRAIN_IMAGES = 2048;

type Figures = Record<string, number | string | boolean | null>;

function run(
  command: string,
  args: string[],
  log: (line: string) => void,
  label: string,
  env: NodeJS.ProcessEnv = process.env,
): Figures | null {
  try {
    const out = execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 1_800_000,
      env: { ...env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    const figures = JSON.parse(out.trim().split('\n').pop()!) as Figures;
    log(`${label}: ${JSON.stringify(figures)}`);
    return figures;
  } catch (error) {
    log(`${label}: not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

const worker = (args: string[], log: (line: string) => void, label: string) =>
  run(process.execPath, [join(here, 'images-worker.js'), ...args], log, label, leptonProcessEnv());

function peer(args: string[], log: (line: string) => void, label: string): Figures | null {
  if (!existsSync(anchorPython)) {
    log(`${label}: missing (run ../shared/anchors/setup.sh; looked for ${anchorPython})`);
    return null;
  }
  return run(anchorPython, [peerScript, ...args], log, label);
}

const num = (f: Figures | null, key: string) => (f && typeof f[key] === 'number' ? f[key] : null);

/** Loading an image folder (decode, resize to 32×32, batches for one epoch) and training the CIFAR CNN on it. */
export const imagesSuite: Suite = {
  name: 'images',
  description:
    'images/s: 10,000 256×256 JPEGs decoded, resized to 32×32 and batched for one epoch (cold and cached); samples/s: the 32×32×3 CIFAR CNN; peak memory of a streamed epoch',
  run(log) {
    log(`bench folder ${folder}`);
    worker(['make', folder], log, 'make folder');
    const cache = mkdtempSync(join(tmpdir(), 'lepton-bench-image-cache-'));
    try {
      const cold = worker(['load', folder, cache], log, 'Lepton cold');
      const cached = worker(['load', folder, cache], log, 'Lepton cached');
      const keras = peer(['keras_load', folder], log, 'Keras image_dataset_from_directory');
      const torch = peer(['torch_load', folder], log, 'PyTorch DataLoader(num_workers=2) + Pillow');
      const train = worker(['train', folder, cache, String(TRAIN_IMAGES)], log, 'Lepton CIFAR CNN');
      const kerasTrain = peer(['keras_train', folder, String(TRAIN_IMAGES)], log, 'Keras CIFAR CNN');
      const coldRate = num(cold, 'images_per_s');
      const kerasRate = num(keras, 'images_per_s');
      const trainRate = num(train, 'samples_per_s');
      const kerasTrainRate = num(kerasTrain, 'samples_per_s');
      log(
        `floor checks: cold load ${coldRate && kerasRate ? `${(coldRate / kerasRate).toFixed(2)}× Keras (floor 1×, goal 2×): ${coldRate >= kerasRate ? 'met' : 'MISSED'}` : 'unchecked'}; ` +
          `CNN training ${trainRate && kerasTrainRate ? `${(trainRate / kerasTrainRate).toFixed(2)}× Keras (floor 0.5×): ${trainRate >= 0.5 * kerasTrainRate ? 'met' : 'MISSED'}` : 'unchecked'}`,
      );
      const cases: BenchCase[] = [
        {
          suite: 'images',
          case: 'load_images',
          metric: 'images_per_s',
          unit: 'images/s',
          better: 'higher',
          lepton: coldRate,
          peers: { keras: kerasRate, torch: num(torch, 'images_per_s') },
        },
        {
          suite: 'images',
          case: 'load_images_cached',
          metric: 'images_per_s',
          unit: 'images/s',
          better: 'higher',
          lepton: num(cached, 'images_per_s'),
          peers: { keras: kerasRate, torch: num(torch, 'images_per_s') },
        },
        {
          suite: 'images',
          case: 'cifar_cnn_train',
          metric: 'samples_per_s',
          unit: 'samples/s',
          better: 'higher',
          lepton: trainRate,
          peers: { keras: kerasTrainRate },
        },
        {
          suite: 'images',
          case: 'load_peak_memory',
          metric: 'peak_rss_mb',
          unit: 'MB',
          better: 'lower',
          lepton: num(cold, 'peak_rss_mb'),
          peers: { keras: num(keras, 'peak_rss_mb'), torch: num(torch, 'peak_rss_mb') },
        },
      ];
      return cases;
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
};
