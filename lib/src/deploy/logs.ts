/** A deployment's log entries as a displayable list: one line per entry, warnings and errors marked. */
import type { LogEntry } from '@lepton/server';
import { displaySymbol, type MimeBundle } from '../display/mime.js';

/** Log entries of one deployment, oldest first. It displays as text lines and an HTML table. */
export class DeploymentLogs {
  /** @param name the deployment @param entries the entries, oldest first */
  constructor(
    readonly name: string,
    readonly entries: readonly LogEntry[],
  ) {}

  /** The number of entries. */
  get length(): number {
    return this.entries.length;
  }

  /** The entries as text, one per line. */
  toString(): string {
    return this.entries.map(formatEntry).join('\n');
  }

  /** Text lines and a table. */
  [displaySymbol](): MimeBundle {
    const rows = this.entries
      .map(
        (e) =>
          `<tr style="color:${e.level === 'error' ? '#cf222e' : e.level === 'warn' ? '#9a6700' : 'inherit'}"><td>${e.time}</td><td>${e.level}</td><td>${esc(e.event)}</td><td>${e.version ?? ''}</td><td>${esc(e.message)}</td></tr>`,
      )
      .join('');
    return {
      'text/plain': `${this.name}: ${this.entries.length} log entries\n${this.toString()}`,
      'text/html': `<div><b>${esc(this.name)}</b> — ${this.entries.length} log entries<table><thead><tr><th>time</th><th>level</th><th>event</th><th>version</th><th>message</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    };
  }
}

/** One entry as a line: `time level event [vN] message (code)`. */
export function formatEntry(e: LogEntry): string {
  return `${e.time} ${e.level.padEnd(5)} ${e.event}${e.version ? ` v${e.version}` : ''} ${e.message}${e.code ? ` (${e.code})` : ''}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
