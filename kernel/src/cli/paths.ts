import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kernel package's folder (kernel/). */
export const kernelPackageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `lepton` executable's script. */
export const cliScript = join(kernelPackageDir, 'bin', 'lepton.js');

/**
 * The project root: the folder holding the workspace's package.json (two levels above the kernel package in this
 * repository), where `.venv/` and `notebooks/` live.
 */
export function projectRoot(): string {
  return process.env.LEPTON_PROJECT_ROOT ?? resolve(kernelPackageDir, '..');
}

/** The project's Python virtual environment (`LEPTON_VENV` overrides). */
export function venvDir(): string {
  return process.env.LEPTON_VENV ?? join(projectRoot(), '.venv');
}

/** The TensorFlow Lite interpreter's virtual environment (`lepton setup --tflite`; `LEPTON_TFLITE_VENV` overrides). */
export function tfliteVenvDir(): string {
  return process.env.LEPTON_TFLITE_VENV ?? join(projectRoot(), '.venv-tflite');
}

/** Ray Serve's virtual environment (`lepton setup --ray`, `lepton ray start`; `LEPTON_RAY_VENV` overrides). */
export function rayVenvDir(): string {
  return process.env.LEPTON_RAY_VENV ?? join(projectRoot(), '.venv-ray');
}

/** A program inside the virtual environment (`python`, `jupyter`, …). */
export function venvBin(venv: string, program: string): string {
  return platform() === 'win32' ? join(venv, 'Scripts', `${program}.exe`) : join(venv, 'bin', program);
}

/** Jupyter's per-user data folder, where `--user` kernelspecs go. */
export function userJupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (platform() === 'win32') return join(process.env.APPDATA ?? homedir(), 'jupyter');
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'jupyter');
}

/** Whether a path exists (for readable conditions). */
export const exists = existsSync;

/** Writes `text` to `path` through a temporary file and a rename, so a half-written file is never visible. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
