import type { CellDiagnostic } from '../compiler/protocol.js';
import type { ErrorContent } from '../protocol/messages.js';

/** The name cells get in stack traces: `cell[3]` for execution count 3. */
export function cellFileName(executionCount: number): string {
  return `cell[${executionCount}]`;
}

/** A Jupyter error for TypeScript diagnostics: each points at its line of the cell, with a caret. */
export function compileError(diagnostics: CellDiagnostic[], source: string): ErrorContent {
  const lines = source.split('\n');
  const traceback = diagnostics.flatMap((d) => {
    const text = lines[d.line] ?? '';
    return [
      `\x1b[31merror TS${d.code}\x1b[0m: ${d.message}`,
      `  at line ${d.line + 1}, column ${d.column + 1}:`,
      `  ${text}`,
      `  ${' '.repeat(d.column)}^`,
    ];
  });
  const first = diagnostics[0]!;
  return {
    ename: 'TypeScriptError',
    evalue: `line ${first.line + 1}: ${first.message}`,
    traceback,
  };
}

/** A Jupyter error for something a cell threw (any value, not only Errors). */
export function runtimeError(
  thrown: unknown,
  sourceLineOf: (jsLine: number) => number | undefined,
  source: string,
): ErrorContent {
  if (!(thrown instanceof Error)) {
    // JSON.stringify is declared to return a string, yet gives undefined for undefined, functions and symbols.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    const text = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown));
    return { ename: 'Uncaught', evalue: text, traceback: [`Uncaught ${text}`] };
  }
  const stack = (thrown.stack ?? `${thrown.name}: ${thrown.message}`).split('\n');
  const frames = stack.filter((line) => /^\s+at /.test(line) && !/node:internal|\(node:|kernel\/dist\//.test(line));
  const located = frames
    .map((frame) => /cell\[(\d+)\]:(\d+):(\d+)/.exec(frame))
    .find((match): match is RegExpExecArray => match !== null);
  const traceback = [`\x1b[31m${thrown.name}\x1b[0m: ${thrown.message}`, ...frames];
  if (located) {
    const line = sourceLineOf(Number(located[2]));
    if (line !== undefined)
      traceback.push(`  in this cell, line ${line + 1}: ${source.split('\n')[line]?.trim() ?? ''}`);
  }
  return { ename: thrown.name || 'Error', evalue: thrown.message, traceback };
}

/**
 * Maps a line of the compiled JavaScript back to the cell's TypeScript line: the compiler drops types but keeps
 * statements, so the source line sharing the most identifiers with the JavaScript line (in order) is the one.
 */
export function lineMapper(
  source: string,
  compiled: string,
  jsLineOffset: number,
): (jsLine: number) => number | undefined {
  const sourceLines = source.split('\n');
  const compiledLines = compiled.split('\n');
  const words = (line: string) => line.match(/[A-Za-z_$][\w$]*|\d+|"[^"]*"|'[^']*'/g) ?? [];
  return (jsLine) => {
    const target = compiledLines[jsLine - 1 - jsLineOffset];
    if (target === undefined) return undefined;
    const wanted = new Set(words(target).filter((w) => !['exports', 'require', 'const', 'let', 'var'].includes(w)));
    if (wanted.size === 0) return undefined;
    let best: number | undefined;
    let bestScore = 0;
    sourceLines.forEach((line, index) => {
      const score = words(line).filter((w) => wanted.has(w)).length;
      if (score > bestScore) {
        bestScore = score;
        best = index;
      }
    });
    return best;
  };
}
