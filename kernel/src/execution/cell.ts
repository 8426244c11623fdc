import { AsyncLocalStorage } from 'node:async_hooks';
import type { Header, IopubContents, MimeData } from '../protocol/messages.js';

/** The iopub messages a cell sends besides its stream text. */
export type OutputType = 'display_data' | 'update_display_data' | 'clear_output' | 'execute_result' | 'error';

/** Sends an iopub message on behalf of a cell (its execute_request is the parent). */
export type Publish = <K extends OutputType | 'stream'>(msgType: K, content: IopubContents[K]) => void;

/** Bytes of stream output one cell may send before the rest is dropped with a notice. */
export const STREAM_LIMIT_BYTES = 1_000_000;

/** Bytes one rich output (a display or a result) may have before it is replaced by a notice. */
export const OUTPUT_LIMIT_BYTES = 20_000_000;

/** An output's data, or a text notice in its place when it is too large for a front end to take. */
function boundedOutput<C extends object>(content: C): C {
  if (!('data' in content)) return content;
  const data = content.data as MimeData;
  const size = JSON.stringify(data).length;
  if (size <= OUTPUT_LIMIT_BYTES) return content;
  const types = Object.keys(data).join(', ');
  const notice = `… output not shown: it is ${(size / 1e6).toFixed(1)} MB (${types}), over the ${OUTPUT_LIMIT_BYTES / 1e6} MB limit; show a sample or write it to a file.`;
  return { ...content, data: { 'text/plain': notice }, metadata: {} };
}

/** The original timer functions, for the kernel's own use (cells get tracked ones). */
export const kernelTimers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setImmediate: globalThis.setImmediate,
};

/**
 * One execution of a cell, and everything it started: its timers (cleared on interrupt), its abort signal,
 * and its output (stream text is batched and capped; output from callbacks that outlive the cell still
 * goes to it).
 */
export class Cell {
  readonly abort = new AbortController();
  readonly timers = new Set<{ clear(): void }>();
  private pendingStream: { name: 'stdout' | 'stderr'; text: string } | undefined;
  private flushScheduled = false;
  private streamedBytes = 0;
  private truncated = false;
  private rejectInterrupt!: (error: Error) => void;
  /** Rejects when the cell is interrupted, so pending awaits end. */
  readonly interrupted: Promise<never>;

  constructor(
    readonly executionCount: number,
    readonly parent: Header,
    readonly identities: Buffer[],
    readonly allowStdin: boolean,
    private readonly publish: Publish,
  ) {
    this.interrupted = new Promise<never>((_, reject) => (this.rejectInterrupt = reject));
    this.interrupted.catch(() => {});
  }

  /** Stops the cell: aborts its signal, clears its timers and rejects what it awaits. */
  interrupt(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new InterruptError());
    for (const timer of this.timers) timer.clear();
    this.timers.clear();
    this.rejectInterrupt(new InterruptError());
  }

  /** Appends text to a stream; consecutive writes become one message. */
  write(name: 'stdout' | 'stderr', text: string): void {
    if (this.truncated) return;
    const room = STREAM_LIMIT_BYTES - this.streamedBytes;
    if (text.length > room) {
      text =
        text.slice(0, Math.max(0, room)) +
        `\n… output truncated: this cell printed more than ${STREAM_LIMIT_BYTES / 1e6} MB; write large results to a file instead.\n`;
      this.truncated = true;
    }
    this.streamedBytes += text.length;
    if (this.pendingStream && this.pendingStream.name !== name) this.flush();
    if (this.pendingStream) this.pendingStream.text += text;
    else this.pendingStream = { name, text };
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      kernelTimers.setImmediate(() => this.flush());
    }
  }

  /** Sends any batched stream text now (before other outputs, to keep their order). */
  flush(): void {
    this.flushScheduled = false;
    const pending = this.pendingStream;
    this.pendingStream = undefined;
    if (pending) this.publish('stream', { name: pending.name, text: pending.text });
  }

  /** Sends an output message (display_data, update_display_data, clear_output, execute_result, error). */
  output<K extends OutputType>(msgType: K, content: IopubContents[K]): void {
    this.flush();
    this.publish(msgType, boundedOutput(content));
  }
}

/** The error a cell ends with when the user interrupts it. */
export class InterruptError extends Error {
  override name = 'Interrupt';
  constructor() {
    super('The cell was interrupted.');
  }
}

/** Which cell the running code belongs to: it follows callbacks and promises created by the cell. */
export const currentCell = new AsyncLocalStorage<Cell>();
