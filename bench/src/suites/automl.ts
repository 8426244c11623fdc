import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lepton from '@lepton/lib';
import { automlTables, writeTable, type BenchTable } from '../automl-tables.js';
import { anchorsDir, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';
import { AUTOML_SECONDS, automlScoreCase } from './automl-score.js';

/**
 * Fit seconds by the clock and by CPU (user + system of the process: on a shared machine the wall clock counts the
 * other processes' turns, the CPU time much less so), each the best of the repeats, and the test score.
 */
type Figures = { fit_s: number; fit_cpu_s: number; score: number };

const python = join(anchorsDir, 'venv', 'bin', 'python');
const peerScript = join(repoRoot, 'bench', 'python', 'gbm_peer.py');

/** The settings every library gets (LightGBM's defaults). */
const settings = { trees: 100, leaves: 31, learningRate: 0.1, minLeaf: 20, bins: 255 } as const;

function peer(name: string, dir: string, log: (line: string) => void): Figures | null {
  try {
    const out = execFileSync(python, [peerScript, name, dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 900_000,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Figures;
  } catch (error) {
    log(
      `${name}: not measured (${(error as Error).message.split('\n')[0]}); pip install lightgbm==4.7.0 scikit-learn into ${anchorsDir}/venv`,
    );
    return null;
  }
}

/** Lepton's gradient boosting on the table's training rows: fit seconds and CPU seconds (best of 3, 2 on large tables) and the test score. */
function leptonFigures(t: BenchTable): Figures {
  const train = lepton.DataFrame.from(t.frame.reify(t.train));
  const test = lepton.DataFrame.from(t.frame.reify(t.test));
  const repeats = t.train.length < 50_000 ? 3 : 2;
  let best = Infinity;
  let bestCpu = Infinity;
  let model: lepton.models.GradientBoosting | null = null;
  for (let r = 0; r < repeats; r++) {
    const encoder = t.categorical.length ? { encoder: lepton.preprocess.labelEncoder({ columns: t.categorical }) } : {};
    const gbm = lepton.models.gradientBoosting({ ...settings, task: t.task, ...encoder });
    const start = performance.now();
    const cpu = process.cpuUsage();
    gbm.fit(train, t.target);
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (performance.now() - start) / 1000);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
    model = gbm;
  }
  const predicted = model!.predict(test);
  const truth = test.array(t.target) as ArrayLike<unknown>;
  let score: number;
  if (t.task === 'classification') score = (100 * predicted.filter((p, i) => p === truth[i]).length) / predicted.length;
  else
    score = Math.sqrt(
      predicted.reduce<number>((s, p, i) => s + ((p as number) - (truth[i] as number)) ** 2, 0) / predicted.length,
    );
  return { fit_s: Number(best.toFixed(4)), fit_cpu_s: Number(bestCpu.toFixed(4)), score };
}

/** Gradient boosting against LightGBM and scikit-learn's HistGradientBoosting on the four tables, same splits and settings. */
export const automlSuite: Suite = {
  name: 'automl',
  description: `gradient boosting (100 trees, 31 leaves, learning rate 0.1, 20 rows per leaf, 255 bins, one thread) on penguins, cars, Seattle weather and 200k flights (delay > 15 min), 80/20 seeded split: fit seconds and test score (accuracy % or RMSE); automl_score: lepton.automl with a ${AUTOML_SECONDS} s budget vs default HistGradientBoosting (sklearn) and Optuna-tuned LightGBM with the same budget (lightgbm)`,
  async run(log) {
    const tables = await automlTables();
    const dir = mkdtempSync(join(tmpdir(), 'lepton-automl-bench-'));
    const cases: BenchCase[] = [];
    try {
      const havePython = existsSync(python);
      if (!havePython)
        log(`peers missing: no ${python} (run ../shared/anchors/setup.sh, then pip install lightgbm==4.7.0)`);
      for (const t of tables) {
        log(`${t.name}: ${t.frame.numRows()} rows, ${t.features.length} features, ${t.task}`);
        const ours = leptonFigures(t);
        const folder = writeTable(t, dir);
        const lgb = havePython ? peer('lightgbm', folder, log) : null;
        const sk = havePython ? peer('sklearn', folder, log) : null;
        const regression = t.task === 'regression';
        cases.push({
          suite: 'automl',
          case: `gbm_fit/${t.name}`,
          metric: 's',
          unit: 's',
          better: 'lower',
          lepton: ours.fit_s,
          peers: { lightgbm: lgb?.fit_s ?? null, sklearn: sk?.fit_s ?? null },
        });
        cases.push({
          suite: 'automl',
          case: `gbm_fit_cpu/${t.name}`,
          metric: 'cpu s',
          unit: 's',
          better: 'lower',
          lepton: ours.fit_cpu_s,
          peers: { lightgbm: lgb?.fit_cpu_s ?? null, sklearn: sk?.fit_cpu_s ?? null },
        });
        cases.push({
          suite: 'automl',
          case: `gbm_score/${t.name}`,
          metric: regression ? 'rmse' : 'accuracy',
          unit: regression ? 'mpg' : '%',
          better: regression ? 'lower' : 'higher',
          lepton: ours.score,
          peers: { lightgbm: lgb?.score ?? null, sklearn: sk?.score ?? null },
        });
        if (lgb) {
          const ok = regression ? ours.score <= lgb.score * 1.02 : ours.score >= lgb.score - 0.5;
          log(
            `${t.name}: score ${ours.score.toFixed(3)} vs LightGBM ${lgb.score.toFixed(3)} (${ok ? 'met' : 'MISSED'}, floor ${regression ? '≤ 1.02× RMSE' : '≥ −0.5 points'}); fit ${ours.fit_s}s vs ${lgb.fit_s}s (${(ours.fit_s / lgb.fit_s).toFixed(2)}×${t.name === 'flights' ? `, floor ≤ 2×: ${ours.fit_s <= 2 * lgb.fit_s ? 'met' : 'MISSED'}` : ''}), CPU ${ours.fit_cpu_s}s vs ${lgb.fit_cpu_s}s (${(ours.fit_cpu_s / lgb.fit_cpu_s).toFixed(2)}×)`,
          );
        }
        cases.push(await automlScoreCase(t, havePython ? folder : null, log));
      }
      return cases;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
