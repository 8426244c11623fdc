import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from test/dist/...). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The project's Python (the venv `npm test` sets up first). */
export const venvPython = join(repoRoot, '.venv', 'bin', 'python');

/** Fails early with the fix when the Python env is missing (tests run after `lepton setup`). */
export function requireVenv(): string {
  if (!existsSync(venvPython))
    throw new Error(`No Python env at ${venvPython}: run \`node kernel/bin/lepton.js setup\` (npm test does).`);
  return venvPython;
}
