import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_PROCESS_ENV } from '@lepton/kernel';

/** The repository root (bench runs from bench/dist/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The project's Python env (set up by `lepton setup`). */
export const venvPython = join(repoRoot, '.venv', 'bin', 'python');

/** Where ../shared/anchors/setup.sh installs the peers (ANCHORS overrides, as in that script). */
export const anchorsDir = process.env.ANCHORS ?? '/tmp/lepton-anchors';

/** The shared folder beside the checkout, holding the peers' scripts (`LEPTON_SHARED` overrides). */
export const sharedDir = process.env.LEPTON_SHARED ?? join(repoRoot, '..', 'shared');

/**
 * The environment of a worker process that runs Lepton's side of a suite: the kernel's own (kernel.json's `env`), so
 * a suite measures what a notebook gets. Peers run in the environment they would have anyway.
 */
export function leptonProcessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...KERNEL_PROCESS_ENV, ...extra };
}
