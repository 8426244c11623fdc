/**
 * `lepton install`: the kernelspec for a Jupyter the user already has and, with `--extension`, the JupyterLab
 * extension's wheel installed into that Jupyter's Python. The output names that Python and how to pick another,
 * since "which Jupyter" is the question a user with several environments has.
 */
import { join } from 'node:path';
import { platform } from 'node:os';
import { installKernelSpec, parseInstallOptions, type InstallTarget } from './install.js';
import {
  describePython,
  explicitPython,
  MIN_JUPYTERLAB,
  pythonOfJupyterOnPath,
  supportsExtension,
  type ChosenPython,
} from './jupyter-python.js';
import { exists, venvBin } from './paths.js';
import { setup } from './setup.js';
import { assertNotProjectEnv, buildWheel, installWheel } from './wheel.js';

const minimum = MIN_JUPYTERLAB.join('.');

/** The Python of the targeted Jupyter: `--python`, the env a `--prefix` names, else the `jupyter` on PATH's. */
function choosePython(target: InstallTarget, python: string | undefined): ChosenPython | undefined {
  if (python !== undefined) return explicitPython(python);
  if (target.kind === 'prefix') {
    const inPrefix = platform() === 'win32' ? join(target.dir, 'python.exe') : join(target.dir, 'bin', 'python');
    if (exists(inPrefix)) return { python: inPrefix, how: `the Python in --prefix ${target.dir}` };
  }
  return pythonOfJupyterOnPath();
}

/** Builds the extension's wheel in the project (setting up its env first if needed); returns its path. */
export function buildExtensionWheel(log: (line: string) => void): string {
  const venv = setup(log);
  return buildWheel(venv);
}

/** Runs `lepton install ARGS`, printing what it did; returns the exit code. */
export function install(args: string[], log: (line: string) => void = (line) => console.log(line)): number {
  const options = parseInstallOptions(args);
  const chosen = choosePython(options.target, options.python);
  const target: InstallTarget =
    options.target.kind === 'sys-prefix' && chosen ? { kind: 'sys-prefix', python: chosen.python } : options.target;
  const flag = options.target.kind === 'prefix' ? `--prefix ${options.target.dir}` : `--${options.target.kind}`;
  const hint = `To target another Jupyter, name its Python: npx lepton install ${flag} --extension --python /path/to/python`;

  if (!options.extension) {
    log(`Installed the Lepton kernelspec in ${installKernelSpec(target)}`);
    if (chosen)
      log(
        `Add --extension to also install the JupyterLab extension (live training charts, Deploy button, deployments panel) into the Jupyter of ${chosen.python}.`,
      );
    return 0;
  }
  if (!chosen) {
    throw new Error(
      'lepton install --extension: there is no `jupyter` command on PATH, so no JupyterLab to install into. ' +
        'Activate the environment that has your JupyterLab and run this again, or name its Python: npx lepton install --extension --python /path/to/python',
    );
  }
  const env = describePython(chosen.python);
  if (env.jupyterlab === null) {
    throw new Error(
      `There is no JupyterLab in ${env.executable} (${chosen.how}). Install it there (${env.executable} -m pip install 'jupyterlab>=${minimum}'), ` +
        'or name the Python of your JupyterLab with --python PATH.',
    );
  }
  if (!supportsExtension(env.jupyterlab)) {
    throw new Error(
      `The Lepton extension needs JupyterLab >= ${minimum}; ${env.executable} has JupyterLab ${env.jupyterlab}. ` +
        `Upgrade it (${env.executable} -m pip install -U 'jupyterlab>=${minimum}') or name another Python with --python PATH.`,
    );
  }
  assertNotProjectEnv(env);
  log(`Jupyter: ${env.executable} (${chosen.how}), JupyterLab ${env.jupyterlab}, prefix ${env.prefix}.`);
  log(hint);
  log(`Installed the Lepton kernelspec in ${installKernelSpec(target)}`);
  log('Building the extension wheel …');
  // Setting up the project's own env comes first (it builds the labextension); its lines say so, lest they read as
  // installs into the targeted Jupyter.
  const wheel = buildExtensionWheel((line) => process.stderr.write(`  project env: ${line}\n`));
  log(`Installed the Lepton JupyterLab extension ${installWheel(wheel, options.target, env)}.`);
  const jupyter = venvBin(env.prefix, 'jupyter');
  log(
    `Restart JupyterLab to load it; \`${exists(jupyter) ? jupyter : 'jupyter'} labextension list\` shows it as @lepton/extension.`,
  );
  return 0;
}
