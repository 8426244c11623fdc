import vm from 'node:vm';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Compiler } from '../compiler/client.js';
import type { ConvertAnswer } from '../compiler/protocol.js';
import { type Cell, currentCell, InterruptError } from './cell.js';
import { cellFileName, compileError, lineMapper, runtimeError } from './errors.js';
import type { ErrorContent } from '../protocol/messages.js';
import { OutOfMemoryError, type BreakFlag } from './break-flag.js';

/** How a cell ended. */
export type CellOutcome =
  { status: 'ok'; hasValue: boolean; value?: unknown } | { status: 'error'; error: ErrorContent };

const HOST_KEY = '__lepton_cell__';

/**
 * Runs cells: converts TypeScript to JavaScript in the compiler worker, runs it in this context (so cells
 * share globals and see each other's declarations), and reports its last expression or what went wrong.
 */
export class Engine {
  /**
   * Every top-level name a cell declared, shared by later cells (tslab's convention). A plain object, not a Map:
   * it is the target of the proxy that compiled cells use as their `exports`.
   */
  private readonly locals: Record<string | symbol, unknown> = {};
  private readonly require: NodeJS.Require;
  /** The names assigned since the running cell started: those of its declarations that ran. */
  private assigned = new Set<string>();

  /** `breaks`: the flag the cells' loops check (interrupts and the heap guard); none in the compiler's own tests. */
  constructor(
    private readonly compiler: Compiler,
    rootDir: string = process.cwd(),
    private readonly breaks?: BreakFlag,
  ) {
    // Imports in cells resolve from the notebook's folder, like a script saved there.
    this.require = createRequire(join(rootDir, '__cell__.js'));
    const locals = this.locals;
    const exportsProxy = new Proxy(locals, {
      // Compiled cells export their names with defineProperty; keep them as plain, rewritable values.
      defineProperty: (_target, property, attributes) => {
        if (property !== '__esModule') {
          locals[property] = attributes.get ? attributes.get() : attributes.value;
          if (typeof property === 'string') this.assigned.add(property);
        }
        return true;
      },
      set: (_target, property, value) => {
        locals[property] = value;
        if (typeof property === 'string') this.assigned.add(property);
        return true;
      },
    });
    (globalThis as unknown as Record<string, unknown>)[HOST_KEY] = { exports: exportsProxy, require: this.require };
  }

  /**
   * Starts converting a cell in the compiler worker, so that it works while the kernel announces the cell; pass
   * the answer to `run`. A conversion nobody waits for (the cell was aborted) is dropped without a rejection.
   */
  compile(source: string): Promise<ConvertAnswer> {
    const converted = this.compiler.request('convert', { src: source });
    converted.catch(() => {});
    return converted;
  }

  /** Runs one cell's source inside `cell` (its output, timers and interrupt), converted by `compile(source)`. */
  async run(source: string, cell: Cell, compiled: Promise<ConvertAnswer> = this.compile(source)): Promise<CellOutcome> {
    const converted = await compiled;
    // Interrupted while it was compiling: it never starts (a SIGINT that came before the code ran is spent).
    if (cell.abort.signal.aborted)
      return { status: 'error', error: runtimeError(new InterruptError(), () => undefined, source) };
    if (converted.diagnostics.length > 0) {
      return { status: 'error', error: compileError(converted.diagnostics, source) };
    }
    if (!converted.output) {
      this.commit();
      return { status: 'ok', hasValue: false };
    }
    const prefix = converted.hasTopLevelAwait
      ? `(async function (exports, require) {\n`
      : `(function (exports, require) {\n`;
    const code = `${prefix}${converted.output}\n})(${HOST_KEY}.exports, ${HOST_KEY}.require)`;
    const mapLine = lineMapper(source, converted.output, 1);
    this.assigned = new Set();
    this.breaks?.cellStarted();
    try {
      // Node's SIGINT watchdog stops code without loops (recursion) on an interrupt, at the price of a thread
      // started and joined per call; a cell that runs no user code ends at once without it.
      const returned = currentCell.run(cell, (): unknown =>
        vm.runInThisContext(code, {
          filename: cellFileName(cell.executionCount),
          breakOnSigint: !converted.runsNoUserCode,
        }),
      );
      if (converted.hasTopLevelAwait) await Promise.race([returned, cell.interrupted]);
      // The await above may have let an interrupt in, which the narrowing of the check before it cannot know.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      if (cell.abort.signal.aborted) throw new InterruptError();
    } catch (thrown) {
      const reached = converted.declaredNames.filter((name) => this.assigned.has(name));
      if (thrown instanceof OutOfMemoryError) {
        // What the cell declared is what filled the heap: keeping it would leave the kernel at the limit.
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- locals must stay a plain object (see its TSDoc)
        for (const name of reached) delete this.locals[name];
        this.commit([]);
      } else {
        // Like IPython: what the cell declared before it stopped stays defined, with its type; the rest does not.
        this.commit(reached);
      }
      return { status: 'error', error: runtimeError(normalizeInterrupt(thrown), mapLine, source) };
    } finally {
      this.breaks?.cellEnded();
    }
    this.commit();
    const name = converted.lastExpressionVar;
    if (name && name in this.locals) {
      const value = this.locals[name];
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- locals must stay a plain object (see its TSDoc)
      delete this.locals[name];
      return { status: 'ok', hasValue: value !== undefined, value };
    }
    return { status: 'ok', hasValue: false };
  }

  /**
   * Keeps the cell's declarations for the next cells (only those of `reached` names when the cell stopped part-way).
   * Not awaited: the worker answers requests in order, so the
   * next conversion, completion or inspection already sees them, and the reply need not wait for the worker (which
   * may be collecting the last program's garbage). A failed worker fails the next request instead.
   */
  private commit(reached?: string[]): void {
    this.compiler.request('commit', reached ? { reached } : {}).catch(() => {});
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
  if ((thrown as { code?: string } | null | undefined)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED')
    return new InterruptError();
  return thrown;
}
