import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './project.js';

/** A Python env with only JupyterLab in it: what a user who already has a JupyterLab has. */
export interface FreshJupyterLab {
  /** The env's folder (its `sys.prefix`). */
  prefix: string;
  /** A program in the env's `bin/` (`python`, `jupyter`). */
  bin(program: string): string;
}

/**
 * The environment variables that keep a Jupyter off this machine's user-level folders (`~/.jupyter`,
 * `~/.local/share/jupyter`, the user site): config and data go to fresh folders under `home`, so only what is
 * installed in the Jupyter's own environment counts, whatever else the user (or another test) installed.
 */
export function isolatedJupyterEnv(home: string): Record<string, string> {
  return {
    JUPYTER_CONFIG_DIR: join(home, 'jupyter-config'),
    JUPYTER_DATA_DIR: join(home, 'jupyter-data'),
    JUPYTER_PATH: '',
    JUPYTER_CONFIG_PATH: '',
    PYTHONNOUSERSITE: '1',
  };
}

/** Runs a command to completion within `timeoutMs`, failing with its output when it fails. */
export function run(
  program: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync(program, args, {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: options.env ?? process.env,
  });
  if (result.status !== 0) {
    throw new Error(
      `${program} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout + result.stderr;
}

/**
 * The env, created on first use in `test-output/fresh-jupyterlab` (git-ignored) with `python3 -m venv` and
 * `pip install jupyterlab` (the JupyterLab line of requirements.txt, so the same versions the project tests), and
 * reused by later tests and runs while that line is unchanged: a test run pays for it once (about 30 s from the
 * mirror). Anything Lepton put there before is removed first, so every user of it starts from a JupyterLab that
 * has never seen Lepton.
 */
export function freshJupyterLab(): FreshJupyterLab {
  const prefix = join(repoRoot, 'test-output', 'fresh-jupyterlab');
  const bin = (program: string) => join(prefix, 'bin', program);
  const requirement = readFileSync(join(repoRoot, 'requirements.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .find((line) => /^jupyterlab\b/i.test(line));
  if (!requirement) throw new Error('requirements.txt has no jupyterlab line');
  const stamp = join(prefix, '.lepton-fresh-jupyterlab');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== requirement) {
    rmSync(prefix, { recursive: true, force: true });
    run(process.env.LEPTON_PYTHON ?? 'python3', ['-m', 'venv', prefix]);
    run(bin('python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', requirement], {
      timeoutMs: 600_000,
    });
    writeFileSync(stamp, requirement);
  }
  run(bin('python'), ['-m', 'pip', 'uninstall', '--disable-pip-version-check', '-q', '-y', 'lepton_jupyter']);
  rmSync(join(prefix, 'share', 'jupyter', 'kernels', 'lepton'), { recursive: true, force: true });
  return { prefix, bin };
}
