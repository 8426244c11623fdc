import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, leptonProcessEnv, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';

interface Peers {
  pandas_groupby_ms: number | null;
  pandas_join_ms: number | null;
  polars_groupby_ms: number | null;
  polars_join_ms: number | null;
  pandas_polars_max_rss_mb: number;
}

interface Ours {
  shared_data: boolean;
  lepton_groupby_ms: number;
  lepton_join_ms: number;
  arquero_groupby_ms: number;
  arquero_join_ms: number;
  delegated_groupby_ms: number;
  delegated_join_ms: number;
  max_rss_mb: number;
}

/** pandas and polars from the anchors venv (they also write the shared data); null when they cannot run. */
function peers(n: number, dataDir: string, log: (line: string) => void): Peers | null {
  const python = join(anchorsDir, 'venv', 'bin', 'python');
  if (!existsSync(python)) {
    log(`pandas/polars missing: no ${python} (run ../shared/anchors/setup.sh); Lepton and arquero use generated data`);
    return null;
  }
  try {
    const out = execFileSync(python, [join(repoRoot, 'bench', 'python', 'dataframe_peer.py'), String(n), dataDir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    return JSON.parse(out.trim().split('\n').pop()!) as Peers;
  } catch (error) {
    log(`pandas/polars not measured at ${n} rows (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** Lepton and plain arquero on the same data, in a fresh process (for a clean peak memory). */
function ours(n: number, dataDir: string): Ours {
  const worker = fileURLToPath(new URL('./dataframe-worker.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--max-old-space-size=8192', worker, String(n), dataDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000,
    env: leptonProcessEnv(),
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Ours;
}

const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;

/** Group-by and join at 1M and 10M rows: Lepton against pandas, polars and plain arquero on the same data. */
export const dataframeSuite: Suite = {
  name: 'dataframe',
  description:
    'group by int key → sum/mean/count of a float; inner join with a 1,000-row dimension table (best of 3 after a warm-up; arquero and the delegated DataFrame verbs best of 5 alternating)',
  run(log) {
    const cases: BenchCase[] = [];
    for (const [label, n] of [
      ['1m', 1_000_000],
      ['10m', 10_000_000],
    ] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), 'lepton-df-bench-'));
      try {
        const p = peers(n, dataDir, log);
        const o = ours(n, dataDir);
        if (!o.shared_data)
          log(`${label}: peers' data not shared; Lepton and arquero timed on generated data of the same distribution`);
        for (const query of ['groupby', 'join'] as const) {
          cases.push({
            suite: 'dataframe',
            case: `${query}_${label}`,
            metric: 'ms',
            unit: 'ms',
            better: 'lower',
            lepton: o[`lepton_${query}_ms`],
            peers: {
              pandas: p?.[`pandas_${query}_ms`] ?? null,
              polars: p?.[`polars_${query}_ms`] ?? null,
              arquero: o[`arquero_${query}_ms`],
            },
          });
        }
        log(
          `${label}: peak memory (max RSS) Lepton+arquero process ${o.max_rss_mb} MB` +
            (p ? `, pandas+polars process ${p.pandas_polars_max_rss_mb} MB` : ''),
        );
        log(
          `${label}: DataFrame delegating to arquero adds ${pct(o.delegated_groupby_ms, o.arquero_groupby_ms)} (groupby/rollup) and ${pct(o.delegated_join_ms, o.arquero_join_ms)} (general join) over plain arquero`,
        );
        if (label === '1m' && p?.pandas_groupby_ms && p.pandas_join_ms) {
          const g = o.lepton_groupby_ms / p.pandas_groupby_ms;
          const j = o.lepton_join_ms / p.pandas_join_ms;
          log(
            `floor checks at 1M: group-by ${g.toFixed(2)}× pandas (${g <= 2 ? 'met' : 'MISSED'}, ≤ 2×); join ${j.toFixed(2)}× pandas (${j <= 2 ? 'met' : 'MISSED'}, ≤ 2×); ` +
              `delegation overhead ${o.delegated_groupby_ms <= o.arquero_groupby_ms * 1.1 && o.delegated_join_ms <= o.arquero_join_ms * 1.1 ? 'met' : 'MISSED'} (≤ 10%, both verbs; ±10% is run-to-run noise here)`,
          );
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    return cases;
  },
};
