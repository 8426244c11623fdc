/**
 * Running `python -m lepton_ray.control` (the repository's `python/lepton_ray`) in the Ray environment: one JSON
 * object in on stdin, one out on the last stdout line. The notebook side and the `lepton ray` CLI reach Ray only
 * through it, so no Python source is ever written on the fly.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeployError } from '../errors.js';

/** The project root when Lepton runs from its repository (lib/dist/deploy/ray → four levels up). */
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** Where the Ray environment and the `lepton_ray` package are. */
export interface RayEnvironment {
  /** The Python with Ray (`LEPTON_RAY_PYTHON`, else `.venv-ray/bin/python` of the project). */
  python: string;
  /** The folder holding the `lepton_ray` package (the repository's `python/`). */
  packageDir: string;
}

/** The Ray environment of this checkout (`LEPTON_RAY_VENV` moves the env, `LEPTON_PROJECT_ROOT` the project). */
export function rayEnvironment(): RayEnvironment {
  const root = process.env.LEPTON_PROJECT_ROOT ?? repositoryRoot;
  const venv = process.env.LEPTON_RAY_VENV ?? join(root, '.venv-ray');
  return { python: process.env.LEPTON_RAY_PYTHON ?? join(venv, 'bin', 'python'), packageDir: join(root, 'python') };
}

/** Whether the Ray environment is there (so tests and the CLI can say what to run instead of failing deep inside). */
export function hasRayEnvironment(): boolean {
  const env = rayEnvironment();
  return existsSync(env.python) && existsSync(join(env.packageDir, 'lepton_ray', 'control.py'));
}

/** An answer of the control command that is a refusal. */
interface ControlFailure {
  error: string;
  code: string;
}

/**
 * Runs one control command and returns its answer. Throws `LEPTON_RAY_NO_ENV` without the Ray environment,
 * `LEPTON_RAY_NO_CLUSTER` for an unreachable cluster, `LEPTON_SERVER` (with `serverCode`) for Lepton's own refusals
 * (e.g. `LEPTON_UNKNOWN_MODEL`), `LEPTON_RAY_FAILED` otherwise.
 */
export async function rayControl<T>(command: string, args: Record<string, unknown>, timeoutMs = 180_000): Promise<T> {
  const env = rayEnvironment();
  if (!hasRayEnvironment()) {
    throw new DeployError(
      'LEPTON_RAY_NO_ENV',
      `Ray is not installed for Lepton (${env.python} is missing): run \`npx lepton setup --ray\` (or \`npx lepton ray start\`, which installs it), or set LEPTON_RAY_PYTHON to a Python with ray==2.58.0.`,
    );
  }
  const pythonPath = [env.packageDir, process.env.PYTHONPATH].filter(Boolean).join(':');
  const child = spawn(env.python, ['-m', 'lepton_ray.control', command], {
    env: { ...process.env, PYTHONPATH: pythonPath, RAY_USAGE_STATS_ENABLED: '0', PYTHONUNBUFFERED: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-8000)));
  child.stdin.end(JSON.stringify(args));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  const last = out.trim().split('\n').pop() ?? '';
  let answer: unknown;
  try {
    answer = JSON.parse(last);
  } catch {
    const why = status === null ? `was stopped after ${timeoutMs} ms` : `exited with ${status} without an answer`;
    throw new DeployError(
      'LEPTON_RAY_FAILED',
      `Ray's ${command} ${why}: ${err.trim().split('\n').slice(-4).join(' ')}`,
    );
  }
  if (status !== 0) {
    const failure = answer as ControlFailure;
    if (failure.code === 'LEPTON_RAY_NO_CLUSTER' || failure.code === 'LEPTON_RAY_UNREACHABLE')
      throw new DeployError('LEPTON_RAY_NO_CLUSTER', failure.error);
    if (failure.code === 'LEPTON_RAY_FAILED')
      throw new DeployError('LEPTON_RAY_FAILED', `Ray's ${command} failed: ${failure.error}`);
    throw new DeployError('LEPTON_SERVER', `${failure.error} (${failure.code})`, { serverCode: failure.code });
  }
  return answer as T;
}
