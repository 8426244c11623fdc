import { loopChecks } from './loop-checks.js';
import type { EmitCall, WrappableEmit } from './tslab-surface.js';

type TypeScript = typeof import('typescript');

/** What `createCommonJsEmit` gives the lean watch program: an emit wrapper and tslab's transpile step. */
export interface CommonJsEmit {
  /** Emits `file` as tslab asks, with TypeScript's CommonJS module transform run after tslab's own transformers. */
  wrapEmit<E extends WrappableEmit>(emit: E): E;
  /**
   * Stands in for `ts.transpileModule`, which tslab calls on every emitted file to turn its ES module into
   * CommonJS: output that `wrapEmit` already converted comes back as it is; anything else is transpiled.
   */
  transpileModule: TypeScript['transpileModule'];
}

/**
 * Emits cells as CommonJS in one pass. tslab emits each cell as an ES module and then converts that text to
 * CommonJS with `ts.transpileModule`, which parses, binds, checks and prints the cell a second time in a program
 * of its own: about a fifth of a trivial cell's compile time. Here the CommonJS module transformer (the one
 * `transpileModule` would run) is appended to the cell's own emit, after tslab's transformers (which must see the
 * ES module: they add `export const tsLastExpr = …`), so it works on the cell's real syntax tree with the cell
 * program's checker, and tslab's conversion is skipped for text that came out of it. The same emit adds the loops'
 * interrupt checks (see loopChecks).
 */
export function createCommonJsEmit(ts: TypeScript): CommonJsEmit {
  /** TypeScript's CommonJS module transformer (internal, exported by the TypeScript build tslab pins). */
  const toCommonJs = (ts as unknown as { transformModule: (context: unknown) => unknown }).transformModule;
  // Every loop of user code checks for an interrupt (see loopChecks); it runs on the ES module, before CommonJS.
  const checkLoops = loopChecks(ts);
  /** Emitted JavaScript not yet passed through tslab's conversion. */
  const converted = new Set<string>();
  return {
    wrapEmit<E extends WrappableEmit>(emit: E): E {
      const call = emit as unknown as EmitCall;
      return ((
        file: unknown,
        writeFile?: (name: string, text: string, ...rest: unknown[]) => void,
        cancel?: unknown,
        onlyDts?: boolean,
        custom?: { after?: unknown[] },
      ) => {
        const write =
          writeFile &&
          ((name: string, text: string, ...rest: unknown[]) => {
            if (name.endsWith('.js')) converted.add(text);
            writeFile(name, text, ...rest);
          });
        return call(file, write, cancel, onlyDts, {
          ...custom,
          after: [...(custom?.after ?? []), checkLoops, toCommonJs],
        });
      }) as unknown as E;
    },
    transpileModule(input, options) {
      if (converted.delete(input)) return { outputText: input, diagnostics: [] };
      return ts.transpileModule(input, options);
    },
  };
}
