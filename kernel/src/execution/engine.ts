import vm from 'node:vm';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Compiler } from '../compiler/client.js';
import { type Cell, currentCell, InterruptError } from './cell.js';
import { cellFileName, compileError, lineMapper, runtimeError } from './errors.js';
import type { ErrorContent } from '../protocol/messages.js';

/** How a cell ended. */
export type CellOutcome =
  | { status: 'ok'; hasValue: boolean; value?: unknown }
  | { status: 'error'; error: ErrorContent };

const HOST_KEY = '__lepton_cell__';

/**
 * Runs cells: converts TypeScript to JavaScript in the compiler worker, runs it in this context (so cells
 * share globals and see each other's declarations), and reports its last expression or what went wrong.
 */
export class Engine {
  /** Every top-level name a cell declared, shared by later cells (tslab's convention). */
  private readonly locals: Record<string, unknown> = {};
  private readonly require: NodeJS.Require;

  constructor(private readonly compiler: Compiler, rootDir: string = process.cwd()) {
    // Imports in cells resolve from the notebook's folder, like a script saved there.
    this.require = createRequire(join(rootDir, '__cell__.js'));
    const locals = this.locals;
    const exportsProxy = new Proxy(locals, {
      // Compiled cells export their names with defineProperty; keep them as plain, rewritable values.
      defineProperty: (_target, property, attributes) => {
        if (property !== '__esModule') (locals as any)[property] = attributes.get ? attributes.get() : attributes.value;
        return true;
      },
    });
    (globalThis as any)[HOST_KEY] = { exports: exportsProxy, require: this.require };
  }

  /** Runs one cell's source inside `cell` (its output, timers and interrupt). */
  async run(source: string, cell: Cell): Promise<CellOutcome> {
    const converted = await this.compiler.request('convert', { src: source });
    // Interrupted while it was compiling: it never starts (a SIGINT that came before the code ran is spent).
    if (cell.abort.signal.aborted) return { status: 'error', error: runtimeError(new InterruptError(), () => undefined, source) };
    if (converted.diagnostics.length > 0) {
      return { status: 'error', error: compileError(converted.diagnostics, source) };
    }
    if (!converted.output) {
      await this.compiler.request('commit', {});
      return { status: 'ok', hasValue: false };
    }
    const prefix = converted.hasTopLevelAwait
      ? `(async function (exports, require) {\n`
      : `(function (exports, require) {\n`;
    const code = `${prefix}${converted.output}\n})(${HOST_KEY}.exports, ${HOST_KEY}.require)`;
    const mapLine = lineMapper(source, converted.output, 1);
    try {
      const returned = currentCell.run(cell, () =>
        vm.runInThisContext(code, { filename: cellFileName(cell.executionCount), breakOnSigint: true }),
      );
      if (converted.hasTopLevelAwait) await Promise.race([returned, cell.interrupted]);
      if (cell.abort.signal.aborted) throw new InterruptError();
    } catch (thrown) {
      return { status: 'error', error: runtimeError(normalizeInterrupt(thrown), mapLine, source) };
    }
    await this.compiler.request('commit', {});
    const name = converted.lastExpressionVar;
    if (name && name in this.locals) {
      const value = this.locals[name];
      delete this.locals[name];
      return { status: 'ok', hasValue: value !== undefined, value };
    }
    return { status: 'ok', hasValue: false };
  }

  /** Completions at `position` of `source`. */
  complete(source: string, position: number) {
    return this.compiler.request('complete', { src: source, position });
  }

  /** The type and TSDoc of the name at `position`. */
  inspect(source: string, position: number) {
    return this.compiler.request('inspect', { src: source, position });
  }

  /** Whether `source` is a complete cell (for consoles). */
  isComplete(source: string) {
    return this.compiler.request('isComplete', { src: source });
  }
}

/** Node's SIGINT interruption of synchronous code becomes the kernel's InterruptError. */
function normalizeInterrupt(thrown: unknown): unknown {
  if ((thrown as { code?: string })?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') return new InterruptError();
  return thrown;
}
