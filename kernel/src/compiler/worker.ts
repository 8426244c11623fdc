// The TypeScript compiler, on its own thread: building it takes about a second, so the kernel answers
// kernel_info at once and cells queue here until it is ready; a busy cell never waits for a rebuild.
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { installLeanWatchProgram } from './lean-program.js';
import { declaredNames, qualifyShorthands } from './shorthand.js';
import { partialDeclarations, splitExports } from './partial-commit.js';
import { runsNoUserCode } from './inert-cell.js';
import { createPlainEmit } from './plain-emit.js';
import type { ConvertResult, Converter, Diagnostic } from 'tslab/dist/converter.js';
import type {
  CellDiagnostic,
  CompleteAnswer,
  ConvertAnswer,
  InspectAnswer,
  IsCompleteAnswer,
  OperationName,
  Operations,
  WorkerRequest,
  WorkerResponse,
} from './protocol.js';
import type { CompilerOptions } from './client.js';

const require = createRequire(import.meta.url);
const started = performance.now();
const options = (workerData ?? {}) as CompilerOptions;
const lean = installLeanWatchProgram(options.types ?? ['node'], options.extraRoots ?? []);
const tslab = require('tslab/dist/converter') as typeof import('tslab/dist/converter.js');
const converter: Converter = tslab.createConverter();
const plainEmit = createPlainEmit(lean.ts);

let committedDecl = options.declarations ?? '';
/** The value names of `committedDecl`, parsed once per commit rather than once per cell. */
let committedNames: { declarations: string; names: Set<string> } | undefined;

/** The value names earlier cells declared (see qualifyShorthands). */
function earlierNames(): Set<string> {
  if (committedNames?.declarations !== committedDecl)
    committedNames = {
      declarations: committedDecl,
      names: declaredNames(lean.parsedDeclarations(committedDecl) ?? committedDecl),
    };
  return committedNames.names;
}
/** The declarations after the last converted cell, and the value names it declares; none once committed. */
let pending: { declarations: string; names: string[] } | undefined;

function diagnostics(list: Diagnostic[]): CellDiagnostic[] {
  return list.map((d) => ({ line: d.start.line, column: d.start.character, code: d.code, message: d.messageText }));
}

/** The kernel's answer for a cell tslab converted into `result`. */
function answerFor(src: string, result: ConvertResult): ConvertAnswer {
  const exported = result.output === undefined ? undefined : splitExports(result.output);
  return {
    output: exported && qualifyShorthands(exported.output, earlierNames()),
    declaredNames: exported?.names ?? [],
    diagnostics: diagnostics(result.diagnostics),
    lastExpressionVar: result.lastExpressionVar,
    hasTopLevelAwait: result.hasToplevelAwait ?? false,
    runsNoUserCode: exported !== undefined && result.diagnostics.length === 0 && runsNoUserCode(src, earlierNames()),
  };
}

/**
 * Converts a cell. `answerEarly` hears the answer as soon as the cell's emit ends clean, so that the kernel runs
 * the cell while tslab finishes the declarations the next cell sees (see createEarlyAnswer); the answer returned
 * is then the one given early.
 */
function convert(src: string, answerEarly: (answer: ConvertAnswer) => void): ConvertAnswer {
  let early: ConvertAnswer | undefined;
  let printed: string | undefined;
  const result = lean.convertingCell(
    () => converter.convert(committedDecl, src),
    ({ output, lastExpressionVar }) => {
      early = answerFor(src, {
        output,
        diagnostics: [],
        hasToplevelAwait: false,
        ...(lastExpressionVar === undefined ? {} : { lastExpressionVar }),
      });
      answerEarly(early);
    },
    () => {
      const declarations = lean.parsedDeclarations(committedDecl);
      const cell = declarations && plainEmit(src, declarations);
      printed = cell?.output;
      return cell;
    },
  );
  // The printed output stands for the emit's (see createPlainEmit, whose tests compare the two): should they ever
  // differ, the log says so, since the cell ran the printed one.
  if (printed !== undefined && result.output !== printed)
    console.error(
      `The kernel ran a cell's JavaScript that differs from the TypeScript compiler's: ${JSON.stringify({ printed, emitted: result.output })}`,
    );
  // An early answer is given only where the rest of the conversion cannot report (see createEarlyAnswer): were it
  // to, the cell has run already, and its declarations are not kept; say so rather than lose them silently.
  if (early && result.diagnostics.length > 0)
    console.error(
      `The TypeScript compiler reported errors after answering a cell: ${result.diagnostics[0]!.messageText}`,
    );
  pending =
    result.diagnostics.length > 0
      ? undefined
      : {
          declarations: result.declOutput ?? '',
          names: result.output === undefined ? [] : splitExports(result.output).names,
        };
  return early ?? answerFor(src, result);
}

function complete(src: string, position: number): CompleteAnswer {
  const info = converter.complete(committedDecl, src, position);
  return { start: info.start, end: info.end, matches: info.candidates };
}

function inspect(src: string, position: number): InspectAnswer {
  const info = converter.inspect(committedDecl, src, position);
  // tslab declares a QuickInfo, yet passes on TypeScript's undefined where no name is at the position.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  if (!info) return { found: false, signature: '', documentation: '' };
  const text = (parts?: { text: string }[]) => (parts ?? []).map((p) => p.text).join('');
  const tags = (info.tags ?? []).map((tag) => `@${tag.name} ${text(tag.text)}`.trim());
  return {
    found: true,
    signature: text(info.displayParts),
    documentation: [text(info.documentation), ...tags].filter(Boolean).join('\n'),
  };
}

function isComplete(src: string): IsCompleteAnswer {
  const result = tslab.isCompleteCode(src);
  return result.completed ? { status: 'complete' } : { status: 'incomplete', indent: result.indent ?? '' };
}

/**
 * Each operation's handler, its args and answer typed by the protocol. `answerEarly` sends the answer before the
 * handler returns (the handler's own answer is then not sent again).
 */
type OperationHandlers = {
  [K in OperationName]: (
    args: Operations[K]['args'],
    answerEarly: (answer: Operations[K]['answer']) => void,
  ) => Operations[K]['answer'];
};

const operations: OperationHandlers = {
  convert: ({ src }, answerEarly) => convert(src, answerEarly),
  commit: ({ reached }) => {
    // Nothing converted since the last commit (or since this worker replaced one that died): nothing to add.
    if (!pending) return committedDecl;
    const unreached = reached ? pending.names.filter((name) => !reached.includes(name)) : [];
    committedDecl = partialDeclarations(committedDecl, pending.declarations, unreached);
    pending = undefined;
    return committedDecl;
  },
  complete: ({ src, position }) => complete(src, position),
  inspect: ({ src, position }) => inspect(src, position),
  isComplete: ({ src }) => isComplete(src),
  addModule: ({ name, content }) => diagnostics(converter.addModule(name, content)),
};

/** Runs one request: the generic ties the request's args to its operation, which the union alone does not. */
function run<K extends OperationName>(
  request: WorkerRequest<K>,
  answerEarly: (answer: Operations[K]['answer']) => void,
): Operations[K]['answer'] {
  return operations[request.op](request.args, answerEarly);
}

const port = parentPort!;
port.on('message', (request: WorkerRequest) => {
  // An object, not a variable: the early answer sets it from inside `run`, where the compiler's narrowing cannot see.
  const sent = { answered: false };
  const respond = (response: WorkerResponse) => {
    if (sent.answered) return;
    sent.answered = true;
    port.postMessage(response);
  };
  try {
    const answer = run(request, (early) => respond({ id: request.id, ok: true, answer: early }));
    respond({ id: request.id, ok: true, answer });
  } catch (error) {
    // After an early answer the cell runs: its declarations are lost (its commit finds none), which the log tells.
    if (sent.answered) console.error(`The TypeScript compiler failed after answering a cell: ${String(error)}`);
    respond({ id: request.id, ok: false, error: (error as Error).stack ?? String(error) });
  }
});
port.postMessage({ ready: true, ms: performance.now() - started } satisfies WorkerResponse);
