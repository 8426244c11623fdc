import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setup } from './setup.js';
import { projectRoot, venvBin } from './paths.js';

/**
 * Sets up the project's Python environment (with the Lepton kernel and JupyterLab extension), then starts
 * JupyterLab on `notebooks/` (or the `--notebook-dir` given) with the Lepton kernel as the default. JupyterLab prints the URL and opens a browser where one exists.
 */
export async function lab(extraArgs: string[]): Promise<number> {
  const venv = setup();
  // A folder given on the command line replaces the tutorials (Jupyter refuses two).
  const folderGiven = extraArgs.some((a) => /^--(notebook-dir|ServerApp\.root_dir)=/.test(a));
  const args = [
    'lab',
    ...(folderGiven ? [] : [`--notebook-dir=${join(projectRoot(), 'notebooks')}`]),
    '--MappingKernelManager.default_kernel_name=lepton',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ...extraArgs,
  ];
  const child = spawn(venvBin(venv, 'jupyter'), args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}
