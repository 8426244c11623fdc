import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, leptonProcessEnv } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';

const here = dirname(fileURLToPath(import.meta.url));
const anchorScript = join(
  process.env.ANCHORS_SCRIPTS ?? join(here, '..', '..', '..', '..', 'shared', 'anchors'),
  'train_throughput.py',
);
const anchorPython = join(anchorsDir, 'venv', 'bin', 'python');

type Figures = Record<string, number | string | null>;

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
      timeout: 900_000,
      env: { ...env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Figures;
  } catch (error) {
    log(`${label}: not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** Lepton in a fresh process: `lepton` on its default backend, `stock` on tfjs-backend-wasm as shipped. */
function lepton(which: 'lepton' | 'stock', log: (line: string) => void): Figures | null {
  return run(
    process.execPath,
    [join(here, 'train-worker.js'), which],
    log,
    which === 'lepton' ? 'Lepton' : 'stock tfjs wasm',
    leptonProcessEnv(),
  );
}

/** A peer through ../shared/anchors/train_throughput.py (same CNN, same data sizes). */
function peer(name: 'keras' | 'torch', log: (line: string) => void): Figures | null {
  if (!existsSync(anchorPython) || !existsSync(anchorScript)) {
    log(`${name}: missing (run ../shared/anchors/setup.sh; looked for ${anchorPython} and ${anchorScript})`);
    return null;
  }
  return run(anchorPython, [anchorScript, name, '2048'], log, name);
}

const num = (f: Figures | null, key: string) => (f && typeof f[key] === 'number' ? f[key] : null);

/** Training and inference throughput: the reference CNN and a 784-128-64-10 MLP, Lepton against Keras, PyTorch and stock tfjs wasm. */
export const trainSuite: Suite = {
  name: 'train',
  description:
    'samples/s: reference CNN training (batch 64, Adam), CNN inference (batch 256), 784-128-64-10 MLP training; peak memory',
  run(log) {
    const ours = lepton('lepton', log);
    const stock = lepton('stock', log);
    const keras = peer('keras', log);
    const torch = peer('torch', log);
    if (ours)
      log(
        `Lepton backend: ${ours.backend}; peak RSS ${ours.peak_rss_mb} MB (stock wasm process: ${stock?.peak_rss_mb ?? '?'} MB)`,
      );
    if (stock?.cnn_train_error) log(`stock wasm cannot train the CNN: ${stock.cnn_train_error}`);
    const c = (name: string, leptonValue: number | null, peers: Record<string, number | null>): BenchCase => ({
      suite: 'train',
      case: name,
      metric: 'samples_per_s',
      unit: 'samples/s',
      better: 'higher',
      lepton: leptonValue,
      peers,
    });
    const cases = [
      c('cnn_train', num(ours, 'cnn_train'), {
        keras: num(keras, 'train_samples_per_s'),
        torch: num(torch, 'train_samples_per_s'),
        'tfjs-wasm': num(stock, 'cnn_train'),
      }),
      c('mlp_train', num(ours, 'mlp_train'), { keras: null, torch: null, 'tfjs-wasm': num(stock, 'mlp_train') }),
      c('cnn_infer', num(ours, 'cnn_infer'), {
        keras: num(keras, 'infer_samples_per_s'),
        torch: null,
        'tfjs-wasm': num(stock, 'cnn_infer'),
      }),
      {
        suite: 'train',
        case: 'peak_memory',
        metric: 'peak_rss_mb',
        unit: 'MB',
        better: 'lower' as const,
        lepton: num(ours, 'peak_rss_mb'),
        peers: { keras: null, torch: null, 'tfjs-wasm': num(stock, 'peak_rss_mb') },
      },
    ];
    const cnn = num(ours, 'cnn_train');
    const k = num(keras, 'train_samples_per_s');
    const mlp = num(ours, 'mlp_train');
    const s = num(stock, 'mlp_train');
    const infer = num(ours, 'cnn_infer');
    const kInfer = num(keras, 'infer_samples_per_s');
    // Issue 27's floors: training ≥ 1.0× Keras, inference at batch 256 ≥ 1.2× Keras (same run).
    log(
      `floor checks: CNN ${cnn && k ? (cnn >= k ? 'met' : 'MISSED') + ` (${(cnn / k).toFixed(2)}× Keras, floor 1.0×)` : 'unchecked'}; ` +
        `CNN inference ${infer && kInfer ? (infer >= 1.2 * kInfer ? 'met' : 'MISSED') + ` (${(infer / kInfer).toFixed(2)}× Keras, floor 1.2×)` : 'unchecked'}; ` +
        `MLP ${mlp && s ? (mlp >= 2 * s ? 'met' : 'MISSED') + ` (${(mlp / s).toFixed(2)}× stock wasm, floor 2×)` : 'unchecked'}`,
    );
    return cases;
  },
};
