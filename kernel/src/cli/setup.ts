import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installExtension } from './extension.js';
import { installKernelSpec } from './install.js';
import { writeLabPageConfig } from './lab-page.js';
import { exists, projectRoot, rayVenvDir, tfliteVenvDir, venvBin, venvDir } from './paths.js';

/** Finds a Python 3 to create the virtual environment with. */
function findPython(): string {
  for (const candidate of [process.env.LEPTON_PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    try {
      const version = execFileSync(candidate, ['-c', 'import sys; print(sys.version_info[0])'], {
        encoding: 'utf8',
      }).trim();
      if (version === '3') return candidate;
    } catch {
      // try the next name
    }
  }
  throw new Error(
    'Lepton needs Python 3 for JupyterLab: install it (python3 on PATH, or set LEPTON_PYTHON) and run again.',
  );
}

/**
 * Makes the project's Python environment ready: a virtual env with JupyterLab and the Jupyter clients from
 * requirements.txt (reinstalled only when that file changes), the Lepton kernelspec and the JupyterLab extension
 * (front end and server extension) inside it, and JupyterLab's page configuration (`lab-page.ts`).
 * `npm start`, `npm test` and Binder's postBuild all run this same step.
 */
export function setup(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): string {
  const venv = venvDir();
  ensureVenv(
    venv,
    join(projectRoot(), 'requirements.txt'),
    'JupyterLab and the Jupyter clients (requirements.txt)',
    log,
  );
  const dir = installKernelSpec({ kind: 'prefix', dir: venv });
  log(`Lepton kernelspec installed in ${dir}`);
  log(`Lepton JupyterLab extension installed in ${installExtension(venv)}`);
  log(`JupyterLab page config written to ${writeLabPageConfig(venv)}`);
  return venv;
}

/**
 * A virtual env at `venv` with `requirements` installed, reinstalled only when that file changes (a stamp in the
 * env holds the file's hash).
 */
function ensureVenv(venv: string, requirements: string, what: string, log: (line: string) => void): void {
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = join(venv, '.lepton-requirements');
  const python = venvBin(venv, 'python');
  if (!exists(python)) {
    log(`Creating the Python environment in ${venv} …`);
    execFileSync(findPython(), ['-m', 'venv', venv], { stdio: 'inherit' });
  }
  if (!exists(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
    log(`Installing ${what} …`);
    execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', requirements], {
      stdio: 'inherit',
    });
    writeFileSync(stamp, wanted);
  }
}

/**
 * `lepton setup --tflite`: the TensorFlow Lite interpreter's environment, `.venv-tflite` (requirements-tflite.txt:
 * tensorflow-cpu, ~1.6 GB installed, kept apart from the JupyterLab env so the everyday setup stays small). Lepton writes
 * `.tflite` files without it; `compress.report` times TFLite variants, `TfliteExport.interpret` runs them, and the
 * TFLite tests judge them with it (lib's `export/tflite/interpreter.ts` looks for it at the same place).
 */
export function setupTflite(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): string {
  const venv = tfliteVenvDir();
  ensureVenv(
    venv,
    join(projectRoot(), 'requirements-tflite.txt'),
    "TensorFlow Lite's interpreter (requirements-tflite.txt: tensorflow-cpu)",
    log,
  );
  log(`TensorFlow Lite's interpreter is ready in ${venv}`);
  return venv;
}

/**
 * `lepton setup --ray` (and `lepton ray start`, on demand): Ray Serve's environment, `.venv-ray`
 * (requirements-ray.txt: ray 2.58 with Serve's dependencies and onnxruntime), where the local cluster and the
 * `python/lepton_ray` Serve application run. Kept apart from the JupyterLab env: Ray is large and only Ray targets need it.
 */
export function setupRay(log: (line: string) => void = (line) => process.stderr.write(line + '\n')): string {
  const venv = rayVenvDir();
  ensureVenv(
    venv,
    join(projectRoot(), 'requirements-ray.txt'),
    'Ray Serve (requirements-ray.txt: ray, onnxruntime)',
    log,
  );
  log(`Ray Serve is ready in ${venv}`);
  return venv;
}
