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
