import type * as TS from 'typescript';
import type { EmitCall, WrappableEmit } from './tslab-surface.js';

type TypeScript = typeof import('typescript');

/** What a cell's emit gives to run it, before tslab has finished converting the cell. */
export interface EmittedCell {
  /** The CommonJS code tslab will answer as the cell's output. */
  output: string;
  /** The variable tslab stores the cell's last expression in, if the cell ends with one. */
  lastExpressionVar: string | undefined;
}

/** What `createEarlyAnswer` gives the lean watch program; see there. */
export interface EarlyAnswer {
  /**
   * Wraps the builder's `emit`: an emit of the cell file that ends without errors is handed to the armed listener.
   * `onlyCellIsSource` says whether the cell is the only file of the program tslab emits (else tslab emits more
   * after it, and its output is not final yet). `declarationsCannotFail` says whether the cell's declaration
   * transform cannot report (see declarationsCannotFail in plain-declarations.ts): such a cell is handed as soon
   * as its JavaScript is written, before that transform runs.
   */
  wrapEmit<E extends WrappableEmit>(
    emit: E,
    onlyCellIsSource: () => boolean,
    declarationsCannotFail: (file: TS.SourceFile) => boolean,
  ): E;
  /**
   * Arms for one cell: `emitted` hears the cell's output once its emit ends, where `checkedClean` (asked then)
   * says the check before the emit found nothing tslab reports. At most once; `end` disarms. `printed`, where
   * given, prints the cell's output without the emit, or declines (see createPlainEmit and `checked`).
   */
  begin(
    emitted: (cell: EmittedCell) => void,
    checkedClean: () => boolean,
    printed?: () => EmittedCell | undefined,
  ): void;
  /**
   * Hears that the cell's check has ended. Where it found nothing, the cell is the only file tslab emits
   * (`onlyCellIsSource`) and its declaration transform cannot report (`declarationsCannotFail`), the output
   * `printed` gives is handed at once: nothing after the check can change the answer, and the emit need not be
   * waited for.
   */
  checked(onlyCellIsSource: boolean, declarationsCannotFail: () => boolean): void;
  end(): void;
}

/** tslab's cell file (`__tslab__.ts`) and the name tslab gives the variable of a cell's last expression. */
const CELL_FILE = /(^|\/)__tslab__\.ts$/;
const LAST_EXPRESSION_VAR = /^tsLastExpr\d*$/;

/**
 * Lets the kernel run a cell as soon as its emit ends. tslab's `convert` goes on after the emit, for the next
 * cell only: it prints which earlier declarations the cell leaves standing (`remainingDecls`, a fifteenth of a
 * trivial cell's conversion) and adds them to the cell's declarations. Those travel with the commit that follows
 * the run, so the run need not wait for them: the emit's output, with the cell's check and its declaration
 * transform both clean, is already the answer tslab will give. Where anything could make it differ (errors, a top-
 * level `await`, which tslab learns from the check, other files emitted after the cell) nothing is handed early.
 * A cell whose declaration transform cannot report (see declarationsCannotFail) is handed when its JavaScript is
 * written, so that the transform too runs while the kernel runs the cell.
 */
export function createEarlyAnswer(ts: TypeScript): EarlyAnswer {
  let listener: ((cell: EmittedCell) => void) | undefined;
  let clean: () => boolean = () => false;
  let print: (() => EmittedCell | undefined) | undefined;

  /** A transformer after tslab's that reads the `export const tsLastExpr… = …` it put in place of the last expression. */
  const readLastExpression = (found: (name: string) => void) => () => (file: TS.SourceFile) => {
    for (const statement of file.statements) {
      // tslab's statement is synthesized (no position in the cell's text), unlike anything the user wrote.
      if (!ts.isVariableStatement(statement) || statement.pos !== -1) continue;
      const name = statement.declarationList.declarations[0]?.name;
      if (name && ts.isIdentifier(name) && LAST_EXPRESSION_VAR.test(name.text)) found(name.text);
    }
    return file;
  };

  return {
    wrapEmit<E extends WrappableEmit>(
      emit: E,
      onlyCellIsSource: () => boolean,
      declarationsCannotFail: (file: TS.SourceFile) => boolean,
    ): E {
      const call = emit as unknown as EmitCall;
      return ((
        file: TS.SourceFile | undefined,
        writeFile?: (name: string, text: string, ...rest: unknown[]) => void,
        cancel?: unknown,
        onlyDts?: boolean,
        custom?: { after?: unknown[] },
        ...rest: unknown[]
      ) => {
        const hear = listener;
        if (!hear || !file || !CELL_FILE.test(file.fileName) || onlyDts || !writeFile)
          return call(file, writeFile, cancel, onlyDts, custom, ...rest);
        let output: string | undefined;
        let lastExpressionVar: string | undefined;
        const handOver = (text: string) => {
          listener = undefined;
          hear({ output: text, lastExpressionVar });
        };
        const write = (name: string, text: string, ...more: unknown[]) => {
          if (name.endsWith('.js')) {
            output = text;
            // The JavaScript is written before the declaration transform runs (TypeScript emits a file's `.js`, then
            // its `.d.ts`); the transform's diagnostics are all that the end of the emit adds to decide on.
            if (listener === hear && clean() && onlyCellIsSource() && declarationsCannotFail(file)) handOver(text);
          }
          writeFile(name, text, ...more);
        };
        const after = [...(custom?.after ?? []), readLastExpression((name) => (lastExpressionVar = name))];
        const result = call(file, write, cancel, onlyDts, { ...custom, after }, ...rest) as TS.EmitResult;
        const failed = result.emitSkipped || result.diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error);
        if (listener === hear && output !== undefined && !failed && clean() && onlyCellIsSource()) handOver(output);
        return result;
      }) as unknown as E;
    },
    begin(emitted, checkedClean, printed) {
      listener = emitted;
      clean = checkedClean;
      print = printed;
    },
    checked(onlyCellIsSource, declarationsCannotFail) {
      const hear = listener;
      if (!hear || !print || !onlyCellIsSource || !clean() || !declarationsCannotFail()) return;
      const cell = print();
      if (!cell) return;
      listener = undefined;
      hear(cell);
    },
    end() {
      listener = undefined;
      clean = () => false;
      print = undefined;
    },
  };
}
