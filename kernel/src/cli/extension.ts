/**
 * Installs the JupyterLab extension into the project's Python environment, with no JupyterLab rebuild: the
 * prebuilt labextension (built by the Python `jupyter-builder` with `@jupyter/builder`) linked into the env's
 * `share/jupyter/labextensions`, the server extension (`lepton_jupyter`, which proxies `/lepton/v1` to the model
 * server) made importable with a `.pth` file and enabled in the env's `etc/jupyter`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { platform } from 'node:os';
import { dirname, join } from 'node:path';
import { exists, projectRoot, venvBin, writeAtomic } from './paths.js';

/** The extension package's folder and its package name. */
export const extensionDir = (): string => join(projectRoot(), 'extension');
const PACKAGE = ['@lepton', 'extension'] as const;

/** Builds the prebuilt labextension into `extension/labextension` (about a second). */
export function buildLabExtension(venv: string): string {
  const dir = extensionDir();
  if (!exists(join(dir, 'dist', 'index.js'))) {
    throw new Error(
      'The JupyterLab extension is not compiled yet: run `npm run build` first (npm start and npm test do).',
    );
  }
  // jupyter-builder runs `jlpm` (yarn) when the extension has no node_modules folder of its own; in this npm
  // workspace its packages are hoisted to the root, which it finds by walking up.
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  execFileSync(venvBin(venv, 'jupyter-builder'), ['build', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  return join(dir, 'labextension');
}

/** Links (or, where links are not possible, copies) `target` at `path`, replacing what was there. */
function linkOrCopy(target: string, path: string): void {
  try {
    if (readlinkSync(path) === target) return;
  } catch {
    // Not a link yet.
  }
  rmSync(path, { recursive: true, force: true });
  mkdirSync(dirname(path), { recursive: true });
  if (platform() === 'win32') cpSync(target, path, { recursive: true });
  else symlinkSync(target, path, 'dir');
}

/**
 * Builds and installs the extension (front end and server extension) into `venv`; JupyterLab started from that
 * env loads it. Returns the labextension's install folder.
 */
export function installExtension(venv: string): string {
  const built = buildLabExtension(venv);
  const python = venvBin(venv, 'python');
  const info = execFileSync(
    python,
    ['-c', 'import sys, sysconfig; print(sys.prefix); print(sysconfig.get_paths()["purelib"])'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n');
  const [prefix, sitePackages] = [info[0]!, info[1]!];
  const installed = join(prefix, 'share', 'jupyter', 'labextensions', ...PACKAGE);
  linkOrCopy(built, installed);
  writeAtomic(join(sitePackages, 'lepton_jupyter.pth'), join(extensionDir(), 'python') + '\n');
  writeAtomic(
    join(prefix, 'etc', 'jupyter', 'jupyter_server_config.d', 'lepton_jupyter.json'),
    JSON.stringify({ ServerApp: { jpserver_extensions: { lepton_jupyter: true } } }, null, 2) + '\n',
  );
  return installed;
}
