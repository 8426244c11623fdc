/**
 * The errors of `lepton.deploy` and `lepton.deployments`. Each carries a stable `code` that programs and tests
 * match, and a message that names the problem and its fix.
 */

/** The stable codes of deployment errors. */
export type DeployErrorCode =
  | 'LEPTON_NO_SERVER_BINARY'
  | 'LEPTON_PORT_BUSY'
  | 'LEPTON_SERVER_START'
  | 'LEPTON_NOT_EXPORTABLE'
  | 'LEPTON_DEPLOY_FAILED'
  | 'LEPTON_BAD_INPUT'
  | 'LEPTON_SERVER';

/** Any error raised while deploying, calling or managing a deployment. */
export class DeployError extends Error {
  /** The stable code of this kind of error. */
  readonly code: DeployErrorCode;
  /** The server's own error code, when the server refused a request (e.g. `LEPTON_UNKNOWN_MODEL`). */
  readonly serverCode: string | undefined;

  constructor(code: DeployErrorCode, message: string, options: { cause?: unknown; serverCode?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverCode = options.serverCode;
    this.name = 'DeployError';
  }
}
