import type * as TS from 'typescript';
import type { ConvertResult, Diagnostic } from 'tslab/dist/converter.js';
import type { EmitCall, WrappableEmit } from './tslab-surface.js';

type TypeScript = typeof import('typescript');

/** TypeScript's pre-emit check of some files of a program (internal, exported by the TypeScript build tslab pins). */
type PreEmitCheck = (
  program: TS.Program,
  files: readonly TS.SourceFile[],
  cancel?: TS.CancellationToken,
) => readonly TS.Diagnostic[];

/** What `createDeclarationOnce` gives the lean watch program; see there. */
export interface DeclarationOnce {
  /** Stands in for `ts.getPreEmitDiagnosticsOfFiles`, which tslab calls on a cell before emitting it. */
  getPreEmitDiagnosticsOfFiles: PreEmitCheck;
  /** Wraps the builder's `emit` so that the declaration diagnostics of an emit whose check was deferred are kept. */
  wrapEmit<E extends WrappableEmit>(emit: E): E;
  /** Starts a cell: diagnostics kept for an earlier one are dropped, and deferring is allowed until `end`. */
  begin(): void;
  /**
   * Ends the cell converted into `result`: where its emit reported declaration diagnostics in place of the pre-emit
   * check, answers them as tslab answers a cell with errors (no output); else `result` as it is.
   */
  end(result: ConvertResult): ConvertResult;
  /** How many cells' declaration diagnostics were left to their emit (for tests). */
  readonly deferredCells: number;
  /** Whether the cell being converted passed its check before the emit: nothing there that tslab reports. */
  readonly checkedClean: boolean;
}

/** tslab's cell file starts with this line (`export {};`), which it leaves out of the positions it reports. */
const CELL_PREFIX_LINES = 1;

/** A TypeScript diagnostic as tslab reports one: a line per message of its chain, positions in the cell's text. */
function asTslabDiagnostics(ts: TypeScript, d: TS.Diagnostic): Diagnostic[] {
  const file = d.file!;
  const prefix = file.text.indexOf('\n') + 1;
  const at = (offset: number) => {
    const { line, character } = ts.getLineAndCharacterOfPosition(file, offset);
    return { offset: offset - prefix, line: line - CELL_PREFIX_LINES, character };
  };
  const start = at(d.start ?? 0);
  const end = at((d.start ?? 0) + (d.length ?? 0));
  const out: Diagnostic[] = [];
  const walk = (message: string | TS.DiagnosticMessageChain, category: number, code: number) => {
    if (typeof message === 'string') return void out.push({ start, end, messageText: message, category, code });
    out.push({ start, end, messageText: message.messageText, category: message.category, code: message.code });
    for (const next of message.next ?? []) walk(next, next.category, next.code);
  };
  walk(d.messageText, d.category, d.code);
  return out;
}

/**
 * Runs a cell's declaration transform once instead of twice. tslab checks a cell with
 * `getPreEmitDiagnosticsOfFiles`, which (with `declaration: true`) runs the declaration transform to find its
 * diagnostics (a type that cannot be named in a `.d.ts`, TS2742, TS4xxx), and then emits the cell, which runs the
 * same transform again to write the declarations the next cell sees: a twentieth of a trivial cell's compile time.
 * The emit reports that transform's diagnostics in its result, so while a cell is being converted and the check
 * is of the cell alone, the pre-emit check leaves them out and the emit's are kept for `end`; the caller answers
 * them as the cell's errors and runs nothing, as the pre-emit check would have had it. The emit is then wasted, but
 * only for a cell that fails. Where the check finds other errors the declaration diagnostics are added there, as
 * before (the answer lists every error); where it checks more than the cell (a local `.ts` file the cell imports,
 * which tslab may not emit again) nothing is deferred.
 */
export function createDeclarationOnce(ts: TypeScript): DeclarationOnce {
  let converting = false;
  let deferred = false;
  let found: TS.Diagnostic[] = [];
  let deferredCells = 0;
  const preEmitCheck = (ts as unknown as { getPreEmitDiagnosticsOfFiles: PreEmitCheck }).getPreEmitDiagnosticsOfFiles;
  return {
    getPreEmitDiagnosticsOfFiles(program, files, cancel) {
      if (!converting || files.length !== 1 || !program.getCompilerOptions().declaration) {
        return preEmitCheck(program, files, cancel);
      }
      const file = files[0]!;
      const diagnostics = [
        ...program.getConfigFileParsingDiagnostics(),
        ...program.getOptionsDiagnostics(cancel),
        ...program.getGlobalDiagnostics(cancel),
        ...program.getSyntacticDiagnostics(file, cancel),
        ...program.getSemanticDiagnostics(file, cancel),
      ];
      // tslab emits nothing after errors: the declaration diagnostics must be found here to be reported at all.
      // Only a diagnostic in a file is an error to tslab: it drops the others, such as TS5101 (the deprecation of
      // the `noImplicitUseStrict` option tslab sets), which every program reports and which would otherwise send
      // every cell's declaration transform through here as well as through its emit.
      if (diagnostics.some((d) => d.file)) diagnostics.push(...program.getDeclarationDiagnostics(file, cancel));
      else {
        deferred = true;
        deferredCells += 1;
      }
      return ts.sortAndDeduplicateDiagnostics(diagnostics);
    },
    wrapEmit<E extends WrappableEmit>(emit: E): E {
      const call = emit as unknown as EmitCall;
      return ((...args: unknown[]) => {
        const result = call(...args) as TS.EmitResult;
        if (deferred) found.push(...result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error));
        return result;
      }) as unknown as E;
    },
    begin() {
      converting = true;
      deferred = false;
      found = [];
    },
    end(result) {
      const errors = ts.sortAndDeduplicateDiagnostics(found).filter((d) => d.file);
      converting = false;
      deferred = false;
      found = [];
      if (errors.length === 0) return result;
      return { diagnostics: errors.flatMap((d) => asTslabDiagnostics(ts, d)) };
    },
    get deferredCells() {
      return deferredCells;
    },
    get checkedClean() {
      return converting && deferred;
    },
  };
}
