import { copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KERNEL_PROCESS_ENV } from './process-env.js';
import { cliScript, exists, kernelPackageDir, userJupyterDataDir, venvBin, venvDir, writeAtomic } from './paths.js';

/**
 * Where to install the kernelspec, as Jupyter's own tools name it. `sys-prefix` is the prefix of `python` when given
 * (the Python of the Jupyter that `lepton install` targets), else of the project's venv, else of `python3`.
 */
export type InstallTarget =
  { kind: 'user' } | { kind: 'prefix'; dir: string } | { kind: 'sys-prefix'; python?: string };

/** The kernelspec's name. */
export const KERNEL_NAME = 'lepton';

/** The kernel.json Jupyter reads to start the Lepton kernel. */
export function kernelSpec(): Record<string, unknown> {
  return {
    argv: [process.execPath, cliScript, 'kernel', '--conn', '{connection_file}'],
    display_name: 'TypeScript (Lepton)',
    language: 'typescript',
    // Jupyter sends SIGINT: it also stops synchronous loops, which a message could not reach.
    interrupt_mode: 'signal',
    // Read by the C library when the process starts, so it can only come from here (see process-env.ts).
    env: { ...KERNEL_PROCESS_ENV },
    metadata: { debugger: false },
  };
}

/** The `sys.prefix` of the Python that runs Jupyter: `chosen`, else the project's venv when there is one. */
function sysPrefix(chosen?: string): string {
  const venv = venvDir();
  const python = chosen ?? (exists(venvBin(venv, 'python')) ? venvBin(venv, 'python') : 'python3');
  return execFileSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
}

/** The kernelspec folder for a target. */
export function kernelSpecDir(target: InstallTarget): string {
  const dataDir =
    target.kind === 'user'
      ? userJupyterDataDir()
      : join(target.kind === 'prefix' ? target.dir : sysPrefix(target.python), 'share', 'jupyter');
  return join(dataDir, 'kernels', KERNEL_NAME);
}

/** Writes the kernelspec (kernel.json and logos) atomically: a half-written spec is never visible. */
export function installKernelSpec(target: InstallTarget): string {
  const dir = kernelSpecDir(target);
  writeAtomic(join(dir, 'kernel.json'), JSON.stringify(kernelSpec(), null, 2) + '\n');
  for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) {
    copyFileSync(join(kernelPackageDir, 'assets', logo), join(dir, logo));
  }
  return dir;
}

/** What `lepton install` was asked to do. */
export interface InstallOptions {
  /** Where the kernelspec (and, with `extension`, the wheel) goes. */
  target: InstallTarget;
  /** `--extension`: also install the JupyterLab extension's wheel into the targeted Jupyter. */
  extension: boolean;
  /** `--python PATH`: the Python of the Jupyter to target, instead of the `jupyter` on PATH. */
  python?: string;
}

/** Reads `lepton install`'s arguments: a target (see {@link parseInstallTarget}), `--extension`, `--python PATH`. */
export function parseInstallOptions(args: string[]): InstallOptions {
  const target = parseInstallTarget(args);
  let python: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--python') {
      python = args[++i];
      if (!python || python.startsWith('--'))
        throw new Error('--python needs the path of a Python: lepton install --extension --python /path/to/python');
    } else if (arg === '--prefix') {
      i++;
    } else if (!['--user', '--sys-prefix', '--extension'].includes(arg)) {
      throw new Error(
        `lepton install: unknown option "${arg}". Options: --user | --sys-prefix | --prefix DIR, --extension, --python PATH.`,
      );
    }
  }
  return { target, extension: args.includes('--extension'), ...(python === undefined ? {} : { python }) };
}

/** Reads `--user`, `--prefix DIR` or `--sys-prefix` (default: `--user`). */
export function parseInstallTarget(args: string[]): InstallTarget {
  if (args.includes('--sys-prefix')) return { kind: 'sys-prefix' };
  const at = args.indexOf('--prefix');
  if (at >= 0) {
    const dir = args[at + 1];
    if (!dir || dir.startsWith('--')) throw new Error('--prefix needs a folder: lepton install --prefix DIR');
    return { kind: 'prefix', dir };
  }
  return { kind: 'user' };
}
