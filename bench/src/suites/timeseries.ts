import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, leptonProcessEnv, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';

type Figures = Record<string, number | string | null>;

const python = join(anchorsDir, 'venv', 'bin', 'python');
const peerScript = join(repoRoot, 'bench', 'python', 'timeseries_peer.py');
const worker = fileURLToPath(new URL('./timeseries-worker.js', import.meta.url));

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
      maxBuffer: 1 << 24,
      env: { ...env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Figures;
  } catch (error) {
    log(`${label}: not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

const num = (f: Figures | null, key: string) => (f && typeof f[key] === 'number' ? f[key] : null);

const N = 10_000_000;

/** LSTM training against Keras; resample and windows on 10M rows against pandas and numpy, on the same data. */
export const timeseriesSuite: Suite = {
  name: 'timeseries',
  description:
    'LSTM(32) → Dense(1) training samples/s on 4,096 windows of 24 steps (batch 32, 3 epochs after a warm-up); resample(1H).mean() and 24-step windows (stride 24, float32) on 10M one-minute rows (best of 3 after a warm-up)',
  run(log) {
    if (!existsSync(python)) {
      log(
        `pandas/Keras missing: no ${python} (run ../shared/anchors/setup.sh); the suite needs the peer script to write its shared data`,
      );
      return [];
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'lepton-ts-bench-'));
    try {
      if (!run(python, [peerScript, 'data', String(N), dataDir], log, 'shared data')) return [];
      const ours = run(
        process.execPath,
        ['--max-old-space-size=8192', worker, 'frame', dataDir],
        log,
        'Lepton resample/windows',
        leptonProcessEnv(),
      );
      const pandas = run(python, [peerScript, 'pandas', dataDir], log, 'pandas');
      const lstm = run(process.execPath, [worker, 'lstm', dataDir], log, 'Lepton LSTM', leptonProcessEnv());
      const keras = run(python, [peerScript, 'keras', dataDir], log, 'Keras');
      if (ours && pandas) {
        const agree =
          ours.bins === pandas.bins &&
          ours.windows === pandas.windows &&
          Math.abs(Number(ours.first_mean) - Number(pandas.first_mean)) < 1e-9;
        log(
          `same results: ${ours.bins} hourly bins and ${ours.windows} windows each, first hour's mean ${agree ? 'equal' : `DIFFERS (${ours.first_mean} vs ${pandas.first_mean})`}`,
        );
      }
      if (lstm)
        log(
          `Lepton backend: ${lstm.backend}; final training loss Lepton ${Number(lstm.loss).toFixed(4)}, Keras ${keras ? Number(keras.loss).toFixed(4) : '?'}`,
        );
      const cases: BenchCase[] = [
        {
          suite: 'timeseries',
          case: 'lstm_train',
          metric: 'samples_per_s',
          unit: 'samples/s',
          better: 'higher',
          lepton: num(lstm, 'samples_per_s'),
          peers: { keras: num(keras, 'samples_per_s') },
        },
        {
          suite: 'timeseries',
          case: 'resample_10m',
          metric: 'ms',
          unit: 'ms',
          better: 'lower',
          lepton: num(ours, 'resample_ms'),
          peers: { pandas: num(pandas, 'resample_ms') },
        },
        {
          suite: 'timeseries',
          case: 'windows_10m',
          metric: 'ms',
          unit: 'ms',
          better: 'lower',
          lepton: num(ours, 'windows_ms'),
          peers: { pandas: num(pandas, 'windows_ms') },
        },
      ];
      const ratio = (c: BenchCase, peer: string) =>
        c.lepton !== null && c.peers[peer] ? c.lepton / c.peers[peer] : null;
      const [l, r, w] = [ratio(cases[0]!, 'keras'), ratio(cases[1]!, 'pandas'), ratio(cases[2]!, 'pandas')];
      const check = (v: number | null, ok: (v: number) => boolean, floor: string) =>
        v === null ? 'unchecked' : `${v.toFixed(2)}× (${ok(v) ? 'met' : 'MISSED'}, ${floor})`;
      log(
        `floor checks: LSTM training ${check(l, (v) => v >= 0.5, '≥ 0.5× Keras')}; resample ${check(r, (v) => v <= 2, '≤ 2× pandas')}; windows ${check(w, (v) => v <= 2, '≤ 2× pandas')}`,
      );
      return cases;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
