/**
 * The errors of `lepton.deploy` and `lepton.deployments`. Each carries a stable `code` that programs and tests
 * match, and a message that names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of deployment errors. */
export type DeployErrorCode =
  | 'LEPTON_NO_SERVER_BINARY'
  | 'LEPTON_PORT_BUSY'
  | 'LEPTON_SERVER_START'
  | 'LEPTON_NOT_EXPORTABLE'
  | 'LEPTON_DEPLOY_FAILED'
  | 'LEPTON_BAD_INPUT'
  | 'LEPTON_SERVER'
  /** The Ray environment (`.venv-ray`) is missing: `npx lepton setup --ray`. */
  | 'LEPTON_RAY_NO_ENV'
  /** No Ray cluster to deploy to: `npx lepton ray start`, or `target.ray.address`. */
  | 'LEPTON_RAY_NO_CLUSTER'
  /** Ray refused or failed an operation (the message carries Ray's reason). */
  | 'LEPTON_RAY_FAILED';

/** Any error raised while deploying, calling or managing a deployment. */
export class DeployError extends LeptonError<DeployErrorCode> {
  /** The server's own error code, when the server refused a request (e.g. `LEPTON_UNKNOWN_MODEL`). */
  readonly serverCode: string | undefined;

  constructor(
    code: DeployErrorCode,
    message: string,
    options: { cause?: unknown; serverCode?: string | undefined } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.serverCode = options.serverCode;
  }
}
