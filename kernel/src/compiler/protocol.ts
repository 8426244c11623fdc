/** Requests the kernel's main thread sends to the compiler worker, and their answers. */

/** A TypeScript diagnostic of a cell, 0-based line and column. */
export interface CellDiagnostic {
  line: number;
  column: number;
  code: number;
  message: string;
}

export interface ConvertAnswer {
  /**
   * CommonJS code to run, or undefined when the cell only declares types. Each declared name is assigned to
   * `exports` when its declaration runs, not before (see splitExports).
   */
  output?: string | undefined;
  /** The top-level value names the cell declares. */
  declaredNames: string[];
  diagnostics: CellDiagnostic[];
  lastExpressionVar?: string | undefined;
  hasTopLevelAwait: boolean;
  /**
   * True when the cell can run no code but the engine's (see runsNoUserCode): it ends by itself at once, so it
   * needs no watchdog to stop it on an interrupt.
   */
  runsNoUserCode: boolean;
}

export interface CompleteAnswer {
  start: number;
  end: number;
  matches: string[];
}

export interface InspectAnswer {
  found: boolean;
  /** The signature line, e.g. `const x: number`. */
  signature: string;
  /** The TSDoc text, with its tags. */
  documentation: string;
}

export interface IsCompleteAnswer {
  status: 'complete' | 'incomplete';
  indent?: string;
}

/** Each request names its operation; the answer type follows from it. */
export interface Operations {
  convert: { args: { src: string }; answer: ConvertAnswer };
  /**
   * Keeps the declarations of the last converted cell: it ran, so its names exist now. A cell that stopped part-way
   * passes the names whose declarations ran (`reached`): only those take the cell's types. Answers the declarations
   * now committed (a worker that replaces this one starts from them).
   */
  commit: { args: { reached?: string[] }; answer: string };
  complete: { args: { src: string; position: number }; answer: CompleteAnswer };
  inspect: { args: { src: string; position: number }; answer: InspectAnswer };
  isComplete: { args: { src: string }; answer: IsCompleteAnswer };
  addModule: { args: { name: string; content: string }; answer: CellDiagnostic[] };
}

export type OperationName = keyof Operations;

export interface WorkerRequest<K extends OperationName = OperationName> {
  id: number;
  op: K;
  args: Operations[K]['args'];
}

export type WorkerResponse =
  { id: number; ok: true; answer: unknown } | { id: number; ok: false; error: string } | { ready: true; ms: number };
