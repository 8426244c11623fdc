import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { currentCell } from './cell.js';

/**
 * Routes console output and writes to process.stdout/stderr to the cell whose code (or callback) wrote them.
 * Writes outside any cell keep going to the kernel's own streams (the server log).
 */
export function routeStreamsToCells(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    // Called with the arguments exactly as the writer gave them, whichever of write's overloads they match.
    const original = stream.write.bind(stream) as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
    stream.write = (chunk: unknown, encoding?: unknown, callback?: unknown) => {
      const cell = currentCell.getStore();
      if (!cell) return original(chunk, encoding, callback);
      cell.write(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  }
  // Plain objects with a synchronous write: a Writable stream may buffer a write and run it later, outside
  // the writer's cell.
  const sink = (name: 'stdout' | 'stderr') =>
    Object.assign(new EventEmitter(), {
      write: (chunk: string) => process[name].write(chunk),
    }) as unknown as NodeJS.WritableStream;
  globalThis.console = new Console({ stdout: sink('stdout'), stderr: sink('stderr'), colorMode: false });
}
