import type * as TS from 'typescript';
import { moduleReferences } from './module-references.js';
import type { StoredResolution, TslabBuilder as Builder, TypeScriptInternals as Internals } from './tslab-surface.js';

type TypeScript = typeof import('typescript');

/**
 * How many cells one checker checks before the next rebuild makes a new one: a checker keeps what it learnt about
 * every cell (its types hold the cell's syntax tree), so a long notebook would otherwise grow without bound.
 */
export const CELLS_PER_CHECKER = 100;

/** The program a run of cells is checked against, and what was learnt of it. */
interface Base {
  builder: Builder;
  program: TS.Program;
  cellsChecked: number;
  /** Cell files handed out since the checker's diagnostics were last forgotten (see forgetCellDiagnostics). */
  cells: TS.SourceFile[];
  /** Whether its own cell and declaration files are error-free and leave the global scope alone. */
  usable?: boolean;
  /** The declaration file parsed for the cells, kept while its text stays the same. */
  decl?: TS.SourceFile;
}

/** Checks cells against the previous program's type checker instead of rebuilding; see createCheckerReuse. */
export interface CheckerReuse {
  /** A program TypeScript built (and tslab was given): later cells are checked against it. */
  adopt(builder: Builder): void;
  /** A file the program reads, other than the cell and its declarations, changed: the next cell rebuilds. */
  otherFileChanged(): void;
  /**
   * A builder that answers for the cell and declaration files with these texts, checked by the adopted program's
   * checker, or undefined when only a rebuild gives the right answer.
   */
  standIn(cellText: string, declText: string): Builder | undefined;
  /** How many cells were answered so (for tests). */
  readonly reusedCells: number;
  /** The declaration file a stand-in parsed from exactly `declText`, if one did (it is parsed once per text). */
  parsedDeclarations(declText: string): TS.SourceFile | undefined;
}

/**
 * Lets a cell be type-checked and emitted without a new program. tslab rebuilds its TypeScript program for every
 * cell, yet only two files change: the cell (`__tslab__.ts`) and the declarations of earlier cells
 * (`__prev__.d.ts`). Both are modules, and tslab links the cell to the declarations through the cell's `parent`,
 * so neither adds to the global scope the rest of the program (the libraries' thousand declaration files) is
 * checked in. Rebuilding walks all of those files and builds a new checker; here the two files are parsed and
 * bound alone, and the previous program's checker checks and emits them. Each new cell file gets a path of its
 * own, so the program's per-file diagnostic caches (keyed by path) never answer for an earlier cell.
 *
 * A rebuild still happens when the answer could differ from a new program's: a file the program reads changed on
 * disk, a cell or its declarations import a module the previous program did not resolve, augment a module or the
 * global scope, or bring new `/// <reference>`s; when the previous program's own cell had errors; and every
 * CELLS_PER_CHECKER cells.
 */
export function createCheckerReuse(ts: TypeScript, cellFile: string, declFile: string): CheckerReuse {
  const internals = ts as unknown as Internals;
  /** Resolutions of the module names cells used, from the programs that resolved them. */
  const resolutions = new Map<string, StoredResolution>();
  let base: Base | undefined;
  let otherFilesChanged = false;
  let serial = 0;
  let reusedCells = 0;

  function recordResolutions(program: TS.Program) {
    for (const name of [cellFile, declFile]) {
      const stored = (program.getSourceFile(name) as { resolvedModules?: Map<string, StoredResolution> } | undefined)
        ?.resolvedModules;
      stored?.forEach((resolution, specifier) => resolutions.set(specifier, resolution));
    }
  }

  /** Whether the base's own cell and declarations are a sound place to check the next cells from. */
  function usable(current: Base): boolean {
    if (current.usable === undefined) {
      const cell = current.program.getSourceFile(cellFile);
      const decl = current.program.getSourceFile(declFile);
      current.usable =
        !!cell &&
        !!decl &&
        !moduleReferences(ts, cell).augments &&
        !moduleReferences(ts, decl).augments &&
        current.program.getSyntacticDiagnostics(cell).length === 0 &&
        current.program.getSemanticDiagnostics(cell).length === 0;
      if (cell) current.cells.push(cell);
    }
    return current.usable;
  }

  /** The names of the `/// <reference>`s of a file. */
  const references = (file: TS.SourceFile) =>
    [...file.referencedFiles, ...file.typeReferenceDirectives, ...file.libReferenceDirectives].map(
      (ref) => ref.fileName,
    );

  /** Parses and binds `text` as the program would, linking its module names; undefined when it needs a rebuild. */
  function parse(current: Base, fileName: string, text: string): TS.SourceFile | undefined {
    const options = current.program.getCompilerOptions();
    const previous = current.program.getSourceFile(fileName)!;
    const file = ts.createSourceFile(fileName, text, {
      languageVersion: previous.languageVersion,
      setExternalModuleIndicator: internals.getSetExternalModuleIndicator(options),
    });
    // A file that is not a module would add its names to the global scope the checker was built with.
    if (!ts.isExternalModule(file)) return undefined;
    const known = new Set(references(previous));
    if (!references(file).every((name) => known.has(name))) return undefined;
    const found = moduleReferences(ts, file);
    if (found.augments) return undefined;
    const checker = current.program.getTypeChecker() as TS.TypeChecker & {
      tryFindAmbientModule?(name: string): unknown;
    };
    for (const specifier of found.specifiers) {
      // The checker looks for an ambient module (`declare module "fs"`) before the file's own resolutions.
      if (checker.tryFindAmbientModule?.(specifier)) continue;
      const resolution = resolutions.get(specifier);
      const target = resolution?.resolvedModule?.resolvedFileName;
      if (!target || !current.program.getSourceFile(target)) return undefined;
      internals.setResolvedModule(file, specifier, resolution, undefined);
    }
    const identity = file as TS.SourceFile & { path: string; resolvedPath: string; originalFileName: string };
    identity.path = identity.resolvedPath = `${(previous as typeof identity).path}#${++serial}`;
    identity.originalFileName = fileName;
    internals.bindSourceFile(file, options);
    return file;
  }

  /**
   * Empties the checker's diagnostics for the cell file's name. The checker files diagnostics by file name and
   * drops one equal to a diagnostic it holds (same name, position and message): an error of an earlier cell
   * would hide the same error in this one, or show in its place. Asked for a cell it checked, it returns its own
   * list, which is emptied; false when that list could not be reached.
   */
  function forgetCellDiagnostics(current: Base): boolean {
    const program = current.program as TS.Program & { getCachedSemanticDiagnostics(file: TS.SourceFile): unknown };
    const checked = current.cells.filter((file) => program.getCachedSemanticDiagnostics(file) !== undefined).pop();
    current.cells = [];
    if (!checked) return true;
    // The checker's own diagnostics of a file (internal; the program's method filters and caches them).
    const checker = program.getTypeChecker() as TS.TypeChecker & {
      getDiagnostics(file: TS.SourceFile): readonly TS.Diagnostic[];
    };
    const held = checker.getDiagnostics(checked);
    if (held.length === 0) return true;
    if (checker.getDiagnostics(checked) !== held) return false;
    (held as TS.Diagnostic[]).length = 0;
    return true;
  }

  return {
    adopt(builder) {
      const program = builder.getProgram();
      base = { builder, program, cellsChecked: 0, cells: [] };
      otherFilesChanged = false;
      recordResolutions(program);
    },
    otherFileChanged() {
      otherFilesChanged = true;
    },
    standIn(cellText, declText) {
      const current = base;
      if (!current || otherFilesChanged || current.cellsChecked >= CELLS_PER_CHECKER || !usable(current))
        return undefined;
      const decl = current.decl?.text === declText ? current.decl : parse(current, declFile, declText);
      const cell = decl && parse(current, cellFile, cellText);
      if (!decl || !cell) return undefined;
      current.decl = decl;
      if (!forgetCellDiagnostics(current)) {
        current.usable = false;
        return undefined;
      }
      current.cells.push(cell);
      current.cellsChecked += 1;
      reusedCells += 1;
      const files = new Map([
        [cellFile, cell],
        [declFile, decl],
      ]);
      return Object.create(current.builder, {
        getSourceFile: { value: (name: string) => files.get(name) ?? current.builder.getSourceFile(name) },
      }) as Builder;
    },
    get reusedCells() {
      return reusedCells;
    },
    parsedDeclarations(declText) {
      return base?.decl?.text === declText ? base.decl : undefined;
    },
  };
}
