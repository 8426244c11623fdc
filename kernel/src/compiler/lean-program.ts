import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowOnePendingTimer, type TimerSystem } from './single-timer.js';
import { skipProbeRebuilds } from './probe-rebuild.js';
import { createCommonJsEmit } from './commonjs-emit.js';
import { createCheckerReuse, type CheckerReuse } from './reused-checker.js';
import { createDeclarationOnce } from './declaration-once.js';
import { createEarlyAnswer, type EmittedCell } from './early-answer.js';
import { declarationsCannotFail } from './plain-declarations.js';
import type { ConvertResult } from 'tslab/dist/converter.js';
import type * as TS from 'typescript';
import type { TslabBuilder, TypeScriptInternals } from './tslab-surface.js';

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

/** The TypeScript module tslab was given, and the hook for converting a cell with one rebuild. */
export interface LeanWatchProgram {
  ts: TypeScript;
  /**
   * Runs tslab's `convert` so that its first rebuild, which only reads the cell's top-level names, is answered from
   * the cell alone (parsed and bound, as the program would) when the cell declares names; tslab then rebuilds once.
   * The cell's declaration transform runs once, in its emit (see createDeclarationOnce). `emitted` hears the cell's
   * output as soon as its emit ends clean, before tslab finishes (see createEarlyAnswer); the result is the same.
   * `printed`, where given, prints a plain cell's output without the emit (see createPlainEmit): `emitted` then
   * hears it as soon as the cell's check ends clean, before the emit.
   */
  convertingCell(
    convert: () => ConvertResult,
    emitted?: (cell: EmittedCell) => void,
    printed?: () => EmittedCell | undefined,
  ): ConvertResult;
  /** How many of tslab's rebuilds were answered by the previous program's checker (see createCheckerReuse). */
  readonly reusedCells: number;
  /** How many cells' declaration diagnostics came from their emit alone (see createDeclarationOnce; for tests). */
  readonly declarationChecksDeferred: number;
  /**
   * The carried declarations `declarations` as the last cell's stand-in parsed them (tslab's `export {};` line
   * first), or undefined where no stand-in parsed that text (the cell rebuilt): spares a second parse of them.
   */
  parsedDeclarations(declarations: string): import('typescript').SourceFile | undefined;
}

/** A TypeScript `System` as the watch program uses it: timers, reading, and watching files and folders. */
type WatchedSystem = TimerSystem & {
  readFile(path: string): string | undefined;
  watchFile?(path: string, callback: (...args: unknown[]) => void, ...rest: unknown[]): unknown;
  watchDirectory?(path: string, callback: (...args: unknown[]) => void, ...rest: unknown[]): unknown;
};

/** The arguments of `ts.createWatchCompilerHost` after the builder factory, passed on as tslab gave them. */
type WatchHostRest = [
  reportDiagnostic?: TS.DiagnosticReporter,
  reportWatchStatus?: TS.WatchStatusReporter,
  projectReferences?: readonly TS.ProjectReference[],
  watchOptions?: TS.WatchOptions,
];

/** Calls `changed` when a watched file or folder other than `own` changes (the cell's files change every cell). */
function reportOtherChanges(system: WatchedSystem, own: (string | undefined)[], changed: () => void): void {
  for (const key of ['watchFile', 'watchDirectory'] as const) {
    const watch = system[key]?.bind(system);
    if (!watch) continue;
    system[key] = (path, callback, ...rest) =>
      watch(
        path,
        own.includes(path)
          ? callback
          : (...args: unknown[]) => {
              changed();
              callback(...args);
            },
        ...rest,
      );
  }
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
 * - while `convertingCell` runs, answers tslab's rebuilds with the previous program's checker where that gives
 *   the same answer (see createCheckerReuse), and otherwise skips the first one (see skipProbeRebuilds), and
 * - emits CommonJS in the cell's own emit instead of transpiling its output again (see createCommonJsEmit).
 * Type errors are found as before: by a checker of the whole program, with the cell's current text.
 */
export function installLeanWatchProgram(types: string[], extraRoots: string[]): LeanWatchProgram {
  const fromTslab = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'));
  const path = fromTslab.resolve('@tslab/typescript-for-tslab');
  const ts = fromTslab(path) as TypeScript;
  const internals = ts as unknown as TypeScriptInternals;
  const exported = ts as unknown as Record<string, unknown>;
  const lean: Record<string, unknown> = {};
  for (const key of Object.keys(ts)) {
    Object.defineProperty(lean, key, { get: () => exported[key], enumerable: true, configurable: true });
  }
  const commonJs = createCommonJsEmit(ts);
  Object.defineProperty(lean, 'transpileModule', {
    enumerable: true,
    configurable: true,
    value: commonJs.transpileModule,
  });
  const declarationOnce = createDeclarationOnce(ts);
  const early = createEarlyAnswer(ts);
  Object.defineProperty(lean, 'getPreEmitDiagnosticsOfFiles', {
    enumerable: true,
    configurable: true,
    value: (...[program, files, cancel]: Parameters<typeof declarationOnce.getPreEmitDiagnosticsOfFiles>) => {
      const diagnostics = declarationOnce.getPreEmitDiagnosticsOfFiles(program, files, cancel);
      // tslab checks the files it then emits: the cell alone when it is the only source (see onlyCellIsSource).
      early.checked(files.length === 1, () => declarationsCannotFail(ts, program.getTypeChecker(), files[0]!));
      return diagnostics;
    },
  });
  const createProgram: TS.CreateProgram<TS.BuilderProgram> = (...args) => {
    const builder = ts.createAbstractBuilder(...args);
    const program = builder.getProgram();
    for (const file of program.getSourceFiles()) {
      // Declaration files of packages were bound in an earlier program and are reused; bind what changed.
      if (!file.isDeclarationFile || !file.fileName.includes('node_modules'))
        internals.bindSourceFile(file, program.getCompilerOptions());
    }
    // tslab asks for the files a cell depends on to check and emit them: every source (not .d.ts) file. It asks
    // twice per cell, and a program's files never change, so the walk over its thousand declaration files is done
    // once per program (cells checked against it through a stand-in ask the same program).
    let sources: string[] | undefined;
    const sourceFiles = () =>
      (sources ??= program
        .getSourceFiles()
        .map((f) => f.fileName)
        .filter((name) => !name.endsWith('.d.ts')));
    builder.getAllDependencies = () => [...sourceFiles()];
    // The abstract builder's emit is a closure over its program: it needs no `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- see above
    const emit = declarationOnce.wrapEmit(commonJs.wrapEmit(builder.emit));
    // tslab emits each of those ending in `.js`, or in `.ts` but not `.d.ts` (not `.d.mts` declarations, say).
    let emitted: number | undefined;
    const onlyCellIsSource = () =>
      (emitted ??= sourceFiles().filter(
        (name) => name.endsWith('.js') || (name.endsWith('.ts') && !name.endsWith('.d.ts')),
      ).length) === 1;
    builder.emit = early.wrapEmit(emit, onlyCellIsSource, (file) =>
      declarationsCannotFail(ts, program.getTypeChecker(), file),
    );
    return builder;
  };
  const folder = compileFolder(ts.sys.getCurrentDirectory());
  const sys: unknown = Object.create(ts.sys, {
    getCurrentDirectory: { value: () => folder, writable: true, configurable: true },
  });
  Object.defineProperty(lean, 'sys', { enumerable: true, configurable: true, value: sys });
  let probes = { arm: () => {}, disarm: () => {} };
  let reuse: CheckerReuse | undefined;
  /** tslab's `afterProgramCreate` (it keeps the builder), and whether it holds a stand-in rather than the program. */
  let keepBuilder: ((builder: unknown) => void) | undefined;
  let lastBuilder: unknown;
  let standIn = false;
  /** Gives tslab the program again where it still holds the stand-in (no new program came, or tslab threw). */
  const restoreBuilder = () => {
    if (!standIn) return;
    standIn = false;
    keepBuilder?.(lastBuilder);
  };
  Object.defineProperty(lean, 'createWatchCompilerHost', {
    enumerable: true,
    configurable: true,
    value: (
      roots: string[],
      options: TS.CompilerOptions,
      system: TS.System & WatchedSystem,
      _defaultBuilder: unknown,
      ...rest: WatchHostRest
    ) => {
      allowOnePendingTimer(system);
      const cellFile = roots.find((root) => root.endsWith('__tslab__.ts'));
      const declFile = roots.find((root) => root.endsWith('__prev__.d.ts'));
      const cellReuse = cellFile && declFile ? createCheckerReuse(ts, cellFile, declFile) : undefined;
      reuse = cellReuse;
      if (cellReuse) reportOtherChanges(system, [cellFile, declFile], () => cellReuse.otherFileChanged());
      /**
       * Answers one of tslab's rebuilds of a cell without rebuilding, where that gives the same answer. tslab's first
       * rebuild of a cell that declares names only reads those names, so the cell parsed alone answers it; the
       * stand-in (a parse checked against the reused checker, which counts toward CELLS_PER_CHECKER) is kept for the
       * rebuild tslab checks and emits. Asked for both, a checker served 50 cells instead of 100 before a rebuild.
       */
      const answerUpdate = (index: number): boolean => {
        if (index === 0 && answerNamesProbe()) return true;
        const reused = cellReuse?.standIn(system.readFile(cellFile!) ?? '', system.readFile(declFile!) ?? '');
        if (!reused || !keepBuilder) return false;
        standIn = true;
        keepBuilder(reused);
        return true;
      };
      /**
       * Answers tslab's first rebuild of a cell with the cell file alone, parsed and bound as the program would:
       * tslab reads its `locals` and rebuilds with `export {names}` appended. A cell without names is declined (tslab
       * uses that rebuild's program), and so is a cell run again on the same declarations (TypeScript would make no
       * new program for the second rebuild, and tslab's emit expects a fresh one, as without this).
       */
      const answerNamesProbe = (): boolean => {
        const text = cellFile && system.readFile(cellFile);
        if (!text || !keepBuilder) return false;
        const file = ts.createSourceFile(cellFile, text, options.target ?? ts.ScriptTarget.Latest);
        internals.bindSourceFile(file, options);
        const names = [...((file as { locals?: Map<string, unknown> }).locals?.keys() ?? [])];
        if (names.length === 0) return false;
        const program = (lastBuilder as { getProgram?(): TS.Program } | undefined)?.getProgram?.();
        const unchanged = (name: string | undefined, content: string | undefined) =>
          name && program?.getSourceFile(name)?.text === content;
        if (
          unchanged(cellFile, `${text}\nexport {${names.join(', ')}}`) &&
          unchanged(declFile, declFile && system.readFile(declFile))
        )
          return false;
        standIn = true;
        keepBuilder({ getSourceFile: (name: string) => (name === cellFile ? file : undefined) });
        return true;
      };
      probes = skipProbeRebuilds(system, answerUpdate, restoreBuilder);
      const host = ts.createWatchCompilerHost(
        [...roots, ...extraRoots],
        { ...options, types, allowUmdGlobalAccess: true },
        system,
        createProgram,
        ...rest,
      );
      // tslab keeps what it is handed and reads only what TslabBuilder declares, which stand-ins also give. The hook
      // is a closure (TypeScript's, then the one tslab sets), called without `this` as TypeScript itself calls it.
      // eslint-disable-next-line @typescript-eslint/unbound-method -- see above
      keepBuilder = host.afterProgramCreate as ((builder: unknown) => void) | undefined;
      Object.defineProperty(host, 'afterProgramCreate', {
        enumerable: true,
        configurable: true,
        get: () => (builder: unknown) => {
          lastBuilder = builder;
          standIn = false;
          cellReuse?.adopt(builder as TslabBuilder);
          keepBuilder?.(builder);
        },
        set: (keep: (builder: unknown) => void) => (keepBuilder = keep),
      });
      return host;
    },
  });
  fromTslab.cache[path]!.exports = lean;
  return {
    ts,
    convertingCell(convert, emitted, printed) {
      probes.arm();
      declarationOnce.begin();
      if (emitted) early.begin(emitted, () => declarationOnce.checkedClean, printed);
      try {
        return declarationOnce.end(convert());
      } catch (error) {
        // tslab threw: what the cell deferred is dropped, and later checks (addModule) are not deferred.
        declarationOnce.end({ diagnostics: [] });
        throw error;
      } finally {
        early.end();
        probes.disarm();
        restoreBuilder();
      }
    },
    get reusedCells() {
      return reuse?.reusedCells ?? 0;
    },
    get declarationChecksDeferred() {
      return declarationOnce.deferredCells;
    },
    parsedDeclarations(declarations) {
      // tslab's `__prev__.d.ts` is its `export {};` line, then the declarations.
      return reuse?.parsedDeclarations(`export {};${ts.sys.newLine}${declarations}`);
    },
  };
}
