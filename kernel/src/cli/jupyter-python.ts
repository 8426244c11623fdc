/**
 * Finds and describes the Python environment of the Jupyter that `lepton install` targets: the one whose `jupyter`
 * command is on PATH unless `--python` names another. Installing the extension there is what makes it appear in
 * the JupyterLab the user starts.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { platform } from 'node:os';
import { exists } from './paths.js';

/** The oldest JupyterLab the prebuilt extension loads in (it is built against 4.6's shared packages). */
export const MIN_JUPYTERLAB: readonly [number, number] = [4, 6];

/** A Python and how it was chosen (said in `lepton install`'s output, so the user can tell whether it is theirs). */
export interface ChosenPython {
  /** The interpreter's path. */
  python: string;
  /** How it was found, e.g. "--python" or "the `jupyter` on PATH, /usr/local/bin/jupyter". */
  how: string;
}

/** What `lepton install` needs to know about a Python environment. */
export interface PythonEnvironment {
  /** `sys.executable`. */
  executable: string;
  /** `sys.prefix`: where `--sys-prefix` installs go. */
  prefix: string;
  /** Whether it is a virtual or conda environment (which has no user site for `pip install --user`). */
  isolated: boolean;
  /** `jupyterlab.__version__`, or null when JupyterLab is not installed there. */
  jupyterlab: string | null;
}

/** The first `name` on PATH, or undefined. */
function onPath(name: string): string | undefined {
  const names = platform() === 'win32' ? [`${name}.exe`, `${name}.cmd`] : [name];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const file of names) if (exists(join(dir, file))) return join(dir, file);
  }
  return undefined;
}

/**
 * The interpreter a console script runs with, from its first lines: pip writes `#!/path/python`, or for paths too
 * long for a shebang a `/bin/sh` preamble that `exec`s `"/path/python"`. Undefined when it names no absolute path.
 */
export function scriptInterpreter(head: string): string | undefined {
  const shebang = /^#!\s*(\S+)/.exec(head)?.[1];
  if (shebang && /python[\d.]*(\.exe)?$/i.test(shebang)) return shebang;
  const exec = /^'''exec' "?([^"\s]+)"?/m.exec(head)?.[1];
  return exec && isAbsolute(exec) ? exec : undefined;
}

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1024);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The Python of the `jupyter` command on PATH, or undefined when there is none (or it cannot be told). */
export function pythonOfJupyterOnPath(): ChosenPython | undefined {
  const jupyter = onPath('jupyter');
  if (!jupyter) return undefined;
  // On Windows console scripts are launchers; their Python sits beside them in Scripts/.
  const python = platform() === 'win32' ? join(jupyter, '..', 'python.exe') : scriptInterpreter(readHead(jupyter));
  return python && exists(python) ? { python, how: `the \`jupyter\` on PATH, ${jupyter}` } : undefined;
}

/** The `--python PATH` a user gave, checked to exist. */
export function explicitPython(path: string): ChosenPython {
  const python = resolve(path);
  if (!exists(python))
    throw new Error(
      `--python ${path}: no such file. Give the Python that runs your JupyterLab (e.g. /path/to/env/bin/python).`,
    );
  return { python, how: '--python' };
}

/** Describes a Python environment (one short subprocess). */
export function describePython(python: string): PythonEnvironment {
  const script = [
    'import json, os, sys',
    'try:',
    '    import jupyterlab; lab = jupyterlab.__version__',
    'except ImportError:',
    '    lab = None',
    'isolated = sys.prefix != getattr(sys, "base_prefix", sys.prefix) or os.path.isdir(os.path.join(sys.prefix, "conda-meta"))',
    'print(json.dumps({"executable": sys.executable, "prefix": sys.prefix, "isolated": isolated, "jupyterlab": lab}))',
  ].join('\n');
  let output: string;
  try {
    output = execFileSync(python, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(
      `Could not run ${python} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): give a working Python 3 with --python PATH.`,
    );
  }
  return JSON.parse(output) as PythonEnvironment;
}

/** Whether a JupyterLab version is at least {@link MIN_JUPYTERLAB}. */
export function supportsExtension(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return major > MIN_JUPYTERLAB[0] || (major === MIN_JUPYTERLAB[0] && minor >= MIN_JUPYTERLAB[1]);
}
