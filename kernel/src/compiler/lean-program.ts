import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowOnePendingTimer, type TimerSystem } from './single-timer.js';

type TypeScript = typeof import('typescript');

/** The nearest folder at or above `start` whose `node_modules` holds `@lepton/lib`, or undefined. */
function folderSeeingLibrary(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@lepton', 'lib'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The folder cells are compiled in: the notebook's own folder when the library is installed there or above it
 * (the tutorials, any notebook inside the project), else the kernel's project. A cell's names travel to the next
 * cell as declarations, which must name the library's types by a package path; from a folder that cannot see the
 * library TypeScript finds none ("not portable", TS2742) and the names would be lost.
 */
function compileFolder(cwd: string): string {
  return folderSeeingLibrary(cwd) ? cwd : (folderSeeingLibrary(dirname(fileURLToPath(import.meta.url))) ?? cwd);
}

/**
 * Makes tslab's converter rebuild less per cell, without forking it: tslab builds its program with
 * `ts.createWatchCompilerHost(roots, options, sys, createProgram = default, …)`. Before tslab's converter is
 * loaded, the TypeScript module it will require is replaced (in the require cache) by a copy whose
 * `createWatchCompilerHost`:
 * - limits the automatically included `@types` packages to `types` (every `node_modules/@types` package is
 *   otherwise loaded and walked),
 * - lets TypeScript's file watching schedule work while a rebuild is pending (see allowOnePendingTimer),
 * - adds `extraRoots` (the preloaded names' declaration files) and lets cells, which are modules, use their UMD
 *   namespaces (`allowUmdGlobalAccess`), and
 * - builds each program with an abstract builder instead of the emit-and-diagnostics builder, which computes a
 *   reference map over every file (all of TensorFlow.js's declarations) and creates a type checker on every
 *   rebuild. tslab rebuilds twice per cell and only needs the cell's own names after the first rebuild, so
 *   binding the changed root files is enough there; the checker is created once, for the diagnostics.
 * Type errors are found exactly as before: diagnostics still come from a full checker of the new program.
 */
export function installLeanWatchProgram(types: string[], extraRoots: string[]): TypeScript {
  const fromTslab = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'));
  const path = fromTslab.resolve('@tslab/typescript-for-tslab');
  const ts = fromTslab(path) as TypeScript & Record<string, any>;
  const lean: Record<string, unknown> = {};
  for (const key of Object.keys(ts)) {
    Object.defineProperty(lean, key, { get: () => ts[key], enumerable: true, configurable: true });
  }
  const createProgram = (...args: any[]) => {
    const builder = (ts.createAbstractBuilder as (...a: any[]) => any)(...args);
    const program = builder.getProgram();
    for (const file of program.getSourceFiles()) {
      // Declaration files of packages were bound in an earlier program and are reused; bind what changed.
      if (!file.isDeclarationFile || !file.fileName.includes('node_modules')) ts.bindSourceFile(file, program.getCompilerOptions());
    }
    // tslab asks for the files a cell depends on to check and emit them: every source (not .d.ts) file.
    builder.getAllDependencies = () =>
      program.getSourceFiles().map((f: { fileName: string }) => f.fileName).filter((name: string) => !name.endsWith('.d.ts'));
    return builder;
  };
  const folder = compileFolder(ts.sys.getCurrentDirectory());
  const sys = Object.create(ts.sys, { getCurrentDirectory: { value: () => folder, writable: true, configurable: true } });
  Object.defineProperty(lean, 'sys', { enumerable: true, configurable: true, value: sys });
  Object.defineProperty(lean, 'createWatchCompilerHost', {
    enumerable: true,
    configurable: true,
    value: (roots: string[], options: Record<string, unknown>, system: TimerSystem, _defaultBuilder: unknown, ...rest: unknown[]) =>
      (allowOnePendingTimer(system), ts.createWatchCompilerHost as (...a: any[]) => any)(
        [...roots, ...extraRoots],
        { ...options, types, allowUmdGlobalAccess: true },
        system,
        createProgram,
        ...rest,
      ),
  });
  fromTslab.cache[path]!.exports = lean;
  return ts;
}
