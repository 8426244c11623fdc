/**
 * The `automl_score` case of `npm run bench -- automl`: `lepton.automl` with a 60 s budget on a table's training
 * rows, scored on its test rows, against scikit-learn's HistGradientBoosting at its defaults and LightGBM tuned by
 * Optuna for the same 60 s (bench/python/automl_peer.py), on the same split. Floor: at least the default
 * HistGradientBoosting's score on 3 of the 4 tables; goal: at least the tuned LightGBM's.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as lepton from '@lepton/lib';
import type { BenchTable } from '../automl-tables.js';
import { anchorsDir, repoRoot } from '../paths.js';
import type { BenchCase } from '../report.js';

/** Seconds of every AutoML search (Lepton's and Optuna's). */
export const AUTOML_SECONDS = 60;

const python = join(anchorsDir, 'venv', 'bin', 'python');
const peerScript = join(repoRoot, 'bench', 'python', 'automl_peer.py');

type PeerScore = { score: number; trials: number; seconds: number };

function peer(name: 'hgb-default' | 'lightgbm-optuna', folder: string, log: (line: string) => void): PeerScore | null {
  try {
    const out = execFileSync(python, [peerScript, name, folder, String(AUTOML_SECONDS)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 1_200_000,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as PeerScore;
  } catch (error) {
    log(
      `automl_score ${name}: not measured (${(error as Error).message.split('\n')[0]}); pip install lightgbm==4.7.0 scikit-learn optuna into ${anchorsDir}/venv`,
    );
    return null;
  }
}

/** Lepton's AutoML on the training rows, scored on the test rows (accuracy in %, or RMSE). */
async function leptonScore(t: BenchTable, log: (line: string) => void): Promise<number> {
  const train = lepton.DataFrame.from(t.frame.reify(t.train));
  const test = lepton.DataFrame.from(t.frame.reify(t.test));
  const result = await lepton.automl(train, {
    target: t.target,
    task: t.task,
    budget: { seconds: AUTOML_SECONDS },
    seed: 0,
    live: false,
  });
  const best = result.best!;
  log(
    `${t.name}: automl ran ${result.leaderboard.entries.length} trials; best ${best.family} (${result.leaderboard
      .byFamily()
      .map((e) => `${e.family} ${e.score!.toPrecision(4)}`)
      .join(', ')})`,
  );
  const predicted = best.predict(test);
  const truth = test.array(t.target) as ArrayLike<unknown>;
  if (t.task === 'classification') return (100 * predicted.filter((p, i) => p === truth[i]).length) / predicted.length;
  return Math.sqrt(
    predicted.reduce<number>((s, p, i) => s + ((p as number) - (truth[i] as number)) ** 2, 0) / predicted.length,
  );
}

/**
 * The `automl_score/<table>` case.
 * @param t the table with its split
 * @param folder where `writeTable` wrote it for the peers, or null without Python
 */
export async function automlScoreCase(
  t: BenchTable,
  folder: string | null,
  log: (line: string) => void,
): Promise<BenchCase> {
  const ours = await leptonScore(t, log);
  const hgb = folder ? peer('hgb-default', folder, log) : null;
  const tuned = folder ? peer('lightgbm-optuna', folder, log) : null;
  const regression = t.task === 'regression';
  const atLeast = (other: number) => (regression ? ours <= other : ours >= other);
  if (hgb)
    log(
      `${t.name}: automl ${ours.toFixed(3)} vs default HistGradientBoosting ${hgb.score.toFixed(3)} (${atLeast(hgb.score) ? 'at least as good' : 'WORSE'})${tuned ? `, Optuna-tuned LightGBM ${tuned.score.toFixed(3)} in ${tuned.trials} trials (${atLeast(tuned.score) ? 'at least as good' : 'worse'})` : ''}`,
    );
  return {
    suite: 'automl',
    case: `automl_score/${t.name}`,
    metric: regression ? 'rmse' : 'accuracy',
    unit: regression ? 'mpg' : '%',
    better: regression ? 'lower' : 'higher',
    lepton: ours,
    peers: { sklearn: hgb?.score ?? null, lightgbm: tuned?.score ?? null },
  };
}
