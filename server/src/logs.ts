/**
 * A deployment's log: events (deploys, stops, rollbacks, alerts) and failed requests, kept in memory for the tail,
 * appended as JSON lines to `logs/<name>.log`, and pushed to live subscribers.
 *
 * Writing the file never throws and never kills the server: a full or failing disk is counted (`writeFailures`,
 * shown in status and `/metrics`), the entry stays in the in-memory tail, and the file is reopened on a later write
 * once `RETRY_MS` has passed.
 */
import { closeSync, createWriteStream, openSync, readSync, statSync, type WriteStream } from 'node:fs';

/** One log entry. */
export interface LogEntry {
  /** ISO 8601 time. */
  time: string;
  /** How serious: `error` for failures, `warn` for alerts and refusals, else `info`. */
  level: 'info' | 'warn' | 'error';
  /** What happened: `deploy`, `stop`, `rollback`, `alert`, `request-error`, … */
  event: string;
  /** What happened, in words. */
  message: string;
  /** The version it concerns, when one does. */
  version?: string;
  /** The error code, for failures. */
  code?: string;
}

const KEEP = 1000;
const READ_BACK = 256 * 1024;
/** How long after a failed write the file is tried again (entries in between stay in memory only). */
const RETRY_MS = 5000;

/** How the log file is doing: failures since start and the last one. */
export interface LogHealth {
  /** Entries that could not be appended to the file (a full disk, a read-only or vanished folder). */
  writeFailures: number;
  /** The last write error, e.g. `ENOSPC: no space left on device`, while writes fail; absent once they succeed. */
  lastError?: string;
}

/** The log of one deployment. */
export class DeploymentLog {
  private readonly entries: LogEntry[] = [];
  private readonly listeners = new Set<(entry: LogEntry) => void>();
  private stream: WriteStream | undefined;
  private failures = 0;
  private lastError: string | undefined;
  private retryAt = 0;

  /** @param file the JSON-lines file; its last entries are read back so the tail survives restarts. */
  constructor(readonly file: string) {
    this.entries.push(...readTail(file, KEEP));
  }

  /** Appends an entry (stamped now) and returns it. */
  write(
    level: LogEntry['level'],
    event: string,
    message: string,
    extra: { version?: string; code?: string } = {},
  ): LogEntry {
    const entry: LogEntry = { time: new Date().toISOString(), level, event, message, ...extra };
    this.entries.push(entry);
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
    this.append(JSON.stringify(entry) + '\n');
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /** The file's write failures, for status and metrics. */
  health(): LogHealth {
    return this.lastError === undefined
      ? { writeFailures: this.failures }
      : { writeFailures: this.failures, lastError: this.lastError };
  }

  /** Appends a line to the file; failures are counted, never thrown (the stream reports them asynchronously). */
  private append(line: string): void {
    if (!this.stream) {
      if (Date.now() < this.retryAt) {
        this.failures++;
        return;
      }
      const stream = createWriteStream(this.file, { flags: 'a', mode: 0o600 });
      stream.on('error', (error) => {
        this.failed(stream, error);
      });
      this.stream = stream;
    }
    const stream = this.stream;
    stream.write(line, (error) => {
      if (error) this.failures++;
      else if (stream === this.stream) this.lastError = undefined;
    });
  }

  /** A write or open failed (each lost line is counted by its write callback): drop the stream, retry later. */
  private failed(stream: WriteStream, error: Error): void {
    this.lastError = error.message;
    this.retryAt = Date.now() + RETRY_MS;
    if (this.stream === stream) this.stream = undefined;
    stream.destroy();
  }

  /** The last `n` entries, oldest first. */
  tail(n: number): LogEntry[] {
    return this.entries.slice(Math.max(0, this.entries.length - n));
  }

  /** Calls `listener` on each new entry until the returned function is called. */
  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    this.listeners.clear();
    const stream = this.stream;
    this.stream = undefined;
    // A failing stream may never call back from end(): its 'close' (or error) settles it.
    if (stream && !stream.destroyed)
      await new Promise<void>((resolve) => {
        stream.once('close', resolve);
        stream.end();
      });
  }
}

function readTail(file: string, n: number): LogEntry[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = statSync(file).size;
    const length = Math.min(size, READ_BACK);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift(); // a partial first line
    const out: LogEntry[] = [];
    for (const line of lines) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as LogEntry);
      } catch {
        // A line torn by a crash: skip it.
      }
    }
    return out.slice(-n);
  } finally {
    closeSync(fd);
  }
}
