/**
 * The extension as a Python wheel (`extension/pyproject.toml`): built from the prebuilt labextension, the settings
 * schemas, the server-extension config and the `lepton_jupyter` module, and installed with the target Jupyter's own
 * pip, the way JupyterLab extensions ship. The project's `.venv` keeps its development install (`extension.ts`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { extensionDir } from './extension.js';
import type { InstallTarget } from './install.js';
import type { PythonEnvironment } from './jupyter-python.js';
import { exists, venvBin, venvDir } from './paths.js';

/** The git-ignored folder the wheel is built into. */
export const wheelDir = (): string => join(extensionDir(), 'wheel');

/**
 * Builds `lepton_jupyter-<version>-py3-none-any.whl` into {@link wheelDir} with the project env's pip and hatchling
 * (no build isolation: nothing is downloaded). The labextension must be built first (`lepton setup` builds it).
 * Returns the wheel's path.
 */
export function buildWheel(venv: string): string {
  const source = extensionDir();
  if (!exists(join(source, 'labextension', 'package.json'))) {
    throw new Error('The labextension is not built yet (extension/labextension): run `npx lepton setup` first.');
  }
  const out = wheelDir();
  // One wheel in the folder, the one just built: an older version left beside it could be installed by mistake.
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync(
    venvBin(venv, 'python'),
    [
      '-m',
      'pip',
      'wheel',
      '--no-deps',
      '--no-build-isolation',
      '--disable-pip-version-check',
      '-q',
      '--wheel-dir',
      out,
      source,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const wheel = readdirSync(out).find((name) => name.endsWith('.whl'));
  if (!wheel) throw new Error(`pip wheel built nothing into ${out}: see its output above.`);
  return join(out, wheel);
}

/** Where pip puts the wheel for a target, and the pip options that say so. */
export function pipPlacement(target: InstallTarget, env: PythonEnvironment): { options: string[]; where: string } {
  if (target.kind === 'user' && !env.isolated)
    return { options: ['--user'], where: `the user site of ${env.executable}` };
  if (target.kind === 'prefix' && resolve(target.dir) !== resolve(env.prefix)) {
    return { options: ['--prefix', target.dir], where: `${target.dir} (with ${env.executable}'s pip)` };
  }
  if (target.kind === 'user')
    return { options: [], where: `the environment ${env.prefix} (a virtual or conda env has no user site)` };
  // --sys-prefix, or a --prefix that is the env itself.
  return { options: [], where: `the environment ${env.prefix}` };
}

/** Whether two paths name the same existing folder. */
function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * Refuses the project's own `.venv` as a target: `lepton setup` links the extension there for development (its
 * `share/jupyter/labextensions/@lepton/extension` points into extension/labextension, so pip would write into the
 * source tree, and two copies of lepton_jupyter would compete).
 */
export function assertNotProjectEnv(env: PythonEnvironment): void {
  if (sameFolder(env.prefix, venvDir())) {
    throw new Error(
      `${env.executable} is the project's own .venv, which \`lepton setup\` already gives the extension (linked for development). ` +
        '--extension is for another JupyterLab: name its Python with --python PATH.',
    );
  }
}

/**
 * Installs the wheel into `env` with its own pip (replacing an installed copy of the same version, so a rebuilt
 * wheel takes effect). Returns where it went, in words.
 */
export function installWheel(wheel: string, target: InstallTarget, env: PythonEnvironment): string {
  assertNotProjectEnv(env);
  const placement = pipPlacement(target, env);
  try {
    execFileSync(
      env.executable,
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '-q',
        '--no-deps',
        '--force-reinstall',
        ...placement.options,
        wheel,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } catch {
    // pip has said why above (an externally managed system Python, no pip in the env, a read-only folder).
    throw new Error(
      `pip could not install ${basename(wheel)} into ${placement.where} (its message is above). ` +
        'Install into a virtual or conda env that has your JupyterLab (name its Python with --python PATH), ' +
        `or run \`${env.executable} -m pip install ${wheel}\` yourself with the options that env needs.`,
    );
  }
  return `${basename(wheel)} into ${placement.where}`;
}
