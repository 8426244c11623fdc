// `npm run bench -- tune`: Lepton's hyperparameter search against Optuna on the same problem, data and space.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchorsDir, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';

/**
 * The fixed problem: penguin species from flipper length and body mass, a one-hidden-layer MLP, 5 epochs.
 * With all four measurements nearly every configuration reaches 100% validation accuracy (every search, every
 * seed ties at 100 in 20 trials); on these two, where Adelie and Chinstrap overlap, configurations differ.
 * Hyperband (η 3) judges the trials of its aggressive bracket after epoch 2.
 */
const seeds = 5;
const trials = 20;
const epochs = 5;
const batchSize = 32;
const space = {
  lr: { kind: 'float', low: 1e-5, high: 1e-1, log: true },
  units: { kind: 'int', low: 2, high: 64, log: true },
  dropout: { kind: 'float', low: 0, high: 0.6, log: false },
} as const;
const features = ['Flipper Length (mm)', 'Body Mass (g)'];

/** What the Optuna peer prints. */
interface PeerResult {
  optuna: string;
  keras: string;
  tpe_best: number[];
  tpe_seconds: number[];
  random_best: number[];
  random_seconds: number[];
  synthetic_tpe: number[];
  synthetic_random: number[];
}

/** What Lepton's side measured: per strategy, the best validation accuracy and seconds of each seed's search. */
interface Ours {
  backend: string;
  best: Record<'random' | 'tpe' | 'hyperband', number[]>;
  seconds: Record<'random' | 'tpe' | 'hyperband', number[]>;
  epochsTrained: Record<'random' | 'tpe' | 'hyperband', number[]>;
  syntheticTpe: number[];
  syntheticRandom: number[];
}

const median = (values: number[]) => {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};

/**
 * The synthetic objective both sides also optimise (no training: samplers alone compared): one optimum at
 * lr 10^-2.5, units 2^4.5, dropout 0.1. Must match `synthetic` in bench/python/tune_optuna.py.
 */
const synthetic = (p: { lr: number; units: number; dropout: number }) =>
  -((Math.log10(p.lr) + 2.5) ** 2) - ((Math.log2(p.units) - 4.5) / 2) ** 2 - 4 * (p.dropout - 0.1) ** 2;
const syntheticSeeds = 25;

/** Prepares the shared data (written to `dataPath` for the peer) and runs Lepton's searches. */
async function ours(dataPath: string, log: (line: string) => void): Promise<Ours> {
  const lepton = await import('@lepton/lib');
  const tf = await import('@tensorflow/tfjs');
  const backendName = (await lepton.backend()).name;
  const clean = lepton.datasets
    .penguins()
    .filter((d: Record<string, unknown>) => d['Body Mass (g)'] != null && d['Beak Length (mm)'] != null);
  const { train, test } = lepton.trainTestSplit(clean, { testSize: 0.25, stratify: 'Species', seed: 7 });
  const scaler = lepton.preprocess.standardScaler({ columns: features }).fit(train);
  const species = lepton.preprocess.labelEncoder({ columns: ['Species'] }).fit(train);
  const tensors = (df: typeof train) => ({
    x: scaler.transform(df).toTensor(features),
    y: species.transform(df).toTensor('Species', { dtype: 'int32' }),
  });
  const data = tensors(train);
  const validation = tensors(test);
  writeFileSync(
    dataPath,
    JSON.stringify({
      xTrain: data.x.arraySync(),
      yTrain: data.y.arraySync(),
      xVal: validation.x.arraySync(),
      yVal: validation.y.arraySync(),
      batchSize,
      space,
    }),
  );
  log(
    `penguins: ${train.numRows()} training rows, ${test.numRows()} validation rows; ${trials} trials × ${seeds} seeds per strategy, ${epochs} epochs, batch ${batchSize}; Lepton on ${backendName}`,
  );

  const searchSpace = {
    lr: lepton.tune.float(space.lr.low, space.lr.high, { log: true }),
    units: lepton.tune.int(space.units.low, space.units.high, { log: true }),
    dropout: lepton.tune.float(space.dropout.low, space.dropout.high),
  };
  const build = (p: { lr: number; units: number; dropout: number }, trial: { seed: number }) => {
    const model = lepton.models.mlp({
      inputs: features.length,
      hidden: [p.units],
      dropout: p.dropout,
      classes: 3,
      seed: trial.seed,
    });
    model.compile({ optimizer: tf.train.adam(p.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const strategies = ['random', 'tpe', 'hyperband'] as const;
  const result: Ours = {
    backend: backendName,
    best: { random: [], tpe: [], hyperband: [] },
    seconds: { random: [], tpe: [], hyperband: [] },
    epochsTrained: { random: [], tpe: [], hyperband: [] },
    syntheticTpe: [],
    syntheticRandom: [],
  };
  for (const strategy of strategies) {
    for (let seed = 1; seed <= seeds; seed++) {
      const started = performance.now();
      const study = await lepton.tune(build, searchSpace, {
        data,
        fit: { validation, batchSize },
        epochs,
        trials,
        seed,
        strategy,
        live: false,
      });
      const seconds = (performance.now() - started) / 1000;
      result.best[strategy].push(study.best.value);
      result.seconds[strategy].push(seconds);
      result.epochsTrained[strategy].push(study.trials.reduce((sum, t) => sum + t.epochs, 0));
      log(
        `lepton ${strategy} seed ${seed}: best ${study.best.value.toFixed(4)} in ${seconds.toFixed(1)}s (${study.counts().pruned} pruned)`,
      );
    }
  }
  for (let seed = 1; seed <= syntheticSeeds; seed++) {
    for (const strategy of ['tpe', 'random'] as const) {
      const study = await lepton.tune((p) => synthetic(p), searchSpace, {
        objective: 'synthetic',
        direction: 'max',
        trials,
        seed,
        strategy,
        live: false,
      });
      (strategy === 'tpe' ? result.syntheticTpe : result.syntheticRandom).push(study.best.value);
    }
  }
  tf.dispose([data.x, data.y, validation.x, validation.y]);
  return result;
}

/** Optuna (TPE and random samplers) training the same MLP in Keras, from the anchors venv; null when missing. */
function peer(dataPath: string, log: (line: string) => void): PeerResult | null {
  const python = join(anchorsDir, 'venv', 'bin', 'python');
  const script = join(repoRoot, 'bench', 'python', 'tune_optuna.py');
  if (!existsSync(python)) {
    log(`optuna: missing (no ${python}; run ../shared/anchors/setup.sh)`);
    return null;
  }
  try {
    const out = execFileSync(
      python,
      [script, dataPath, String(seeds), String(trials), String(epochs), String(syntheticSeeds)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 1_200_000,
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      },
    );
    return JSON.parse(out.trim().split('\n').pop()!) as PeerResult;
  } catch (error) {
    log(`optuna: not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

const pct = (v: number) => 100 * v;
const list = (values: number[]) => values.map((v) => pct(v).toFixed(1)).join(', ');

/** Best validation accuracy after 20 trials (median of 5 seeds): Lepton's TPE, Hyperband and random search, and Optuna's. */
export const tuneSuite: Suite = {
  name: 'tune',
  description: `best validation accuracy (%) after ${trials} trials, median of ${seeds} seeds: penguins (flipper, mass) MLP (lr, units, dropout), ${epochs} epochs per trial; Optuna TPE/random train the same MLP in Keras`,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'lepton-tune-bench-'));
    try {
      const dataPath = join(dir, 'penguins.json');
      const o = await ours(dataPath, log);
      const p = peer(dataPath, log);
      if (p) log(`optuna ${p.optuna}, keras ${p.keras}: tpe ${list(p.tpe_best)}; random ${list(p.random_best)}`);
      for (const s of ['random', 'tpe', 'hyperband'] as const)
        log(
          `lepton ${s}: ${list(o.best[s])} (median ${median(o.seconds[s]).toFixed(1)} s per search, ${median(o.epochsTrained[s])} epochs trained)`,
        );
      const peers = {
        'lepton random': pct(median(o.best.random)),
        'optuna tpe': p ? pct(median(p.tpe_best)) : null,
        'optuna random': p ? pct(median(p.random_best)) : null,
      };
      const accuracy = (name: string, value: number[]): BenchCase => ({
        suite: 'tune',
        case: name,
        metric: 'best_val_acc',
        unit: '%',
        better: 'higher',
        lepton: pct(median(value)),
        peers,
      });
      const cases: BenchCase[] = [
        accuracy('tpe', o.best.tpe),
        accuracy('hyperband', o.best.hyperband),
        accuracy('random', o.best.random),
        {
          suite: 'tune',
          case: 'tpe_search_time',
          metric: 'seconds',
          unit: 's',
          better: 'lower',
          lepton: median(o.seconds.tpe),
          peers: {
            'lepton random': median(o.seconds.random),
            'optuna tpe': p ? median(p.tpe_seconds) : null,
            'optuna random': p ? median(p.random_seconds) : null,
          },
        },
        // Regret (distance below the optimum, 0) rather than the negative objective, so the ratios read right.
        {
          suite: 'tune',
          case: 'synthetic_tpe_regret',
          metric: 'regret',
          unit: 'no training, median of 25 seeds',
          better: 'lower',
          lepton: -median(o.syntheticTpe),
          peers: {
            'lepton random': -median(o.syntheticRandom),
            'optuna tpe': p ? -median(p.synthetic_tpe) : null,
            'optuna random': p ? -median(p.synthetic_random) : null,
          },
        },
      ];
      log(
        `hyperband trained ${median(o.epochsTrained.hyperband)} epochs per search against ${trials * epochs} for random and TPE`,
      );
      const tpe = pct(median(o.best.tpe));
      const random = pct(median(o.best.random));
      const optuna = p ? pct(median(p.tpe_best)) : null;
      log(
        `floor checks: TPE ≥ random search on the median: ${tpe >= random ? 'met' : 'MISSED'} (${tpe.toFixed(2)} vs ${random.toFixed(2)}); ` +
          `within 1 point of Optuna's TPE: ${optuna === null ? 'unchecked' : tpe >= optuna - 1 ? `met (${(tpe - optuna).toFixed(2)} points)` : `MISSED (${(tpe - optuna).toFixed(2)} points)`}`,
      );
      return cases;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
