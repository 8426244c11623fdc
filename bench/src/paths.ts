import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench runs from bench/dist/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The project's Python env (set up by `lepton setup`). */
export const venvPython = join(repoRoot, '.venv', 'bin', 'python');

/** Where ../shared/anchors/setup.sh installs the peers (ANCHORS overrides, as in that script). */
export const anchorsDir = process.env.ANCHORS ?? '/tmp/lepton-anchors';

/** The shared folder beside the checkout, holding the peers' scripts (`LEPTON_SHARED` overrides). */
export const sharedDir = process.env.LEPTON_SHARED ?? join(repoRoot, '..', 'shared');
