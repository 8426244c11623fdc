/**
 * The base of every error Lepton's library raises on purpose: a stable `code` that programs and tests match, and a
 * message that names the problem and its fix. Each capability narrows the codes (`DataError`, `ExportError`, …).
 */
export class LeptonError<Code extends string = string> extends Error {
  /** The stable code of this kind of error. */
  readonly code: Code;

  /**
   * @param code the stable code
   * @param message what went wrong and how to fix it
   * @param options the underlying error, if any
   */
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // The concrete class's name (`ColumnNotFoundError`, `DeployError`, …), as stack traces and the kernel show it.
    this.name = new.target.name;
  }
}

/** The code of an internal error. */
export type InternalErrorCode =
  /** A check of Lepton's own invariants failed (e.g. a graph builder got a name twice): a bug in Lepton, not in your code. Report it with the cell that raised it. */
  'LEPTON_INTERNAL';

/**
 * A violated invariant of Lepton's own code (what "cannot happen"), raised as a coded error rather than a bare
 * `Error` so that it is caught, shown and reported like the others.
 */
export class InternalError extends LeptonError<InternalErrorCode> {
  /** @param message which invariant failed, and where */
  constructor(message: string) {
    super('LEPTON_INTERNAL', message);
  }
}
