import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { repoRoot, requireVenv } from './project.js';
import type { MimeBundle } from './mime.js';

/** One executed code cell. */
export interface ExecutedCell {
  source: string;
  outputs: { output_type: string; text?: string; data?: MimeBundle; ename?: string; evalue?: string }[];
}

/** A notebook run end to end with nbclient against the Lepton kernel. */
export interface NotebookRun {
  error: string | null;
  seconds: number;
  cells: ExecutedCell[];
  /** Where the executed copy was written (test-output/notebooks/). */
  executedPath: string;
}

/**
 * How long one whole notebook may run: under the test's 20 minutes, so a stalled run fails with this message
 * instead of the test runner's. 02-mnist trains for ~5 minutes on a quiet 2-core machine and much longer on a busy
 * one; a limit of one cell's timeout plus a minute killed it there with no error of its own.
 */
const NOTEBOOK_LIMIT_S = 19 * 60;

/** Executes a notebook of notebooks/ with a real Jupyter client; the executed copy goes under test-output/. */
export function runNotebook(path: string, timeoutS = 900): NotebookRun {
  const outDir = join(repoRoot, 'test-output', 'notebooks');
  mkdirSync(outDir, { recursive: true });
  const executedPath = join(outDir, basename(path));
  const run = spawnSync(
    requireVenv(),
    [join(repoRoot, 'test', 'support', 'run_notebook.py'), path, executedPath, String(timeoutS), dirname(path)],
    {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: join(repoRoot, '.venv', 'share', 'jupyter') },
      maxBuffer: 256 * 1024 * 1024,
      timeout: Math.max(timeoutS + 60, NOTEBOOK_LIMIT_S) * 1000,
    },
  );
  if (run.signal)
    throw new Error(
      `running ${path} was stopped by ${run.signal} after ${NOTEBOOK_LIMIT_S} s at most: ${run.stderr.slice(-4000)}`,
    );
  if (run.status !== 0) throw new Error(`running ${path} failed: ${run.stderr.slice(-4000)}`);
  // run_notebook.py prints the run as one JSON object: { error, seconds, cells }.
  return { ...(JSON.parse(run.stdout) as Omit<NotebookRun, 'executedPath'>), executedPath };
}

/** All text a cell printed or showed as text/plain. */
export function cellText(cell: ExecutedCell): string {
  return cell.outputs.map((o) => o.text ?? o.data?.['text/plain'] ?? '').join('');
}

/** The first cell whose source contains `marker`. */
export function findCell(run: NotebookRun, marker: string): ExecutedCell {
  const cell = run.cells.find((c) => c.source.includes(marker));
  if (!cell) throw new Error(`no cell contains ${JSON.stringify(marker)}`);
  return cell;
}
