/**
 * A deployment's log: events (deploys, stops, rollbacks, alerts) and failed requests, kept in memory for the tail,
 * appended as JSON lines to `logs/<name>.log`, and pushed to live subscribers.
 */
import { closeSync, createWriteStream, openSync, readSync, statSync, type WriteStream } from 'node:fs';

/** One log entry. */
export interface LogEntry {
  /** ISO 8601 time. */
  time: string;
  level: 'info' | 'warn' | 'error';
  /** What happened: `deploy`, `stop`, `rollback`, `alert`, `request-error`, … */
  event: string;
  message: string;
  /** The version it concerns, when one does. */
  version?: string;
  /** The error code, for failures. */
  code?: string;
}

const KEEP = 1000;
const READ_BACK = 256 * 1024;

/** The log of one deployment. */
export class DeploymentLog {
  private readonly entries: LogEntry[] = [];
  private readonly listeners = new Set<(entry: LogEntry) => void>();
  private stream: WriteStream | undefined;

  /** @param file the JSON-lines file; its last entries are read back so the tail survives restarts. */
  constructor(readonly file: string) {
    this.entries.push(...readTail(file, KEEP));
  }

  /** Appends an entry (stamped now) and returns it. */
  write(level: LogEntry['level'], event: string, message: string, extra: { version?: string; code?: string } = {}): LogEntry {
    const entry: LogEntry = { time: new Date().toISOString(), level, event, message, ...extra };
    this.entries.push(entry);
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
    this.stream ??= createWriteStream(this.file, { flags: 'a', mode: 0o600 });
    this.stream.write(JSON.stringify(entry) + '\n');
    for (const listener of this.listeners) listener(entry);
    return entry;
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
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
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
