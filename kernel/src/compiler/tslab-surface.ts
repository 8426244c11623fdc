import type * as TS from 'typescript';

/**
 * The untyped parts of tslab and of the TypeScript build it pins that the lean watch program relies on, declared
 * once: TypeScript internals (exported by that build, absent from its public types) and what tslab reads of the
 * builder its watch program hands it.
 */

/** What tslab uses of the builder its watch program hands it (a stand-in may give only these). */
export interface TslabBuilder {
  getProgram(): TS.Program;
  getSourceFile(fileName: string): TS.SourceFile | undefined;
}

/** A module resolution as TypeScript stores it on a source file (`resolvedModules`). */
export interface StoredResolution {
  resolvedModule?: { resolvedFileName: string };
}

/** The TypeScript internals used here (exported by the TypeScript build tslab pins). */
export interface TypeScriptInternals {
  setResolvedModule(file: TS.SourceFile, name: string, resolution: StoredResolution, mode: undefined): void;
  getSetExternalModuleIndicator(options: TS.CompilerOptions): (file: TS.SourceFile) => void;
  bindSourceFile(file: TS.SourceFile, options: TS.CompilerOptions): void;
}

/**
 * An emit function the lean watch program wraps: the builder's `emit` (or a test's stand-in). The wrappers pass its
 * arguments on as tslab gave them, so any parameter list fits.
 */
export type WrappableEmit = (...args: never[]) => unknown;

/**
 * A wrapped emit as the wrapper calls it: with the arguments it was itself given. The wrapper takes and returns
 * the same parameter list as the emit it wraps, which TypeScript cannot express for any `E`: hence the casts there.
 */
export type EmitCall = (...args: unknown[]) => unknown;
