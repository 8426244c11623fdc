/**
 * The server's catalogue of coded errors. Every error a client can see has a stable `code` (tests and clients
 * match codes, never message text), an HTTP status, and a message that names the problem.
 */

/** An error with a stable code and the HTTP status it is answered with. */
export class ServerError extends Error {
  /** The stable code, e.g. `LEPTON_UNKNOWN_MODEL`. */
  readonly code: string;
  /** The HTTP status the error is answered with. */
  readonly statusCode: number;
  /** Facts a client acts on, sent in the body beside the message (e.g. the indexes of the bad elements). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, statusCode: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
    this.statusCode = statusCode;
    this.details = details;
  }
}

/** The JSON body of every error answer: OIP v2 clients read `error`; Lepton clients match `code`. */
export interface ErrorBody {
  /** The message, naming the problem. */
  error: string;
  /** The stable code. */
  code: string;
  /** Facts a client acts on, when the error has them (e.g. `indexes` of the bad elements of a raw input). */
  details?: Record<string, unknown>;
}

/** A catalogue entry: builds the error, and carries its code and status so other servers can read them (`catalogue.ts`). */
type Make<C extends string, A extends unknown[]> = ((...args: A) => ServerError) & {
  readonly code: C;
  readonly statusCode: number;
};

// `const C` keeps each entry's code as its literal, so that `ServerErrorCode` is derived from the catalogue.
function coded<const C extends string, A extends unknown[]>(
  code: C,
  statusCode: number,
  message: (...args: A) => string,
): Make<C, A> {
  return Object.assign((...args: A) => new ServerError(code, statusCode, message(...args)), { code, statusCode });
}

/** The catalogue. Each entry builds the error from the facts its message names. */
export const errors = {
  /** The request body is not valid JSON. */
  badJson: coded('LEPTON_BAD_JSON', 400, (detail: string) => `The request body is not valid JSON: ${detail}`),
  /** The request does not match the route's schema. */
  badRequest: coded('LEPTON_BAD_REQUEST', 400, (detail: string) => `Bad request: ${detail}`),
  /** The body is larger than the configured limit. */
  bodyTooLarge: coded(
    'LEPTON_BODY_TOO_LARGE',
    413,
    (limit: number) => `The request body is larger than the limit of ${limit} bytes.`,
  ),
  /** The body's content type is not accepted by the route. */
  badContentType: coded(
    'LEPTON_BAD_CONTENT_TYPE',
    415,
    (type: string) => `Content type "${type}" is not accepted; send application/json.`,
  ),
  /** No deployment of that name. */
  unknownModel: coded('LEPTON_UNKNOWN_MODEL', 404, (name: string) => `Unknown model "${name}".`),
  /** The deployment has no such version. */
  unknownVersion: coded(
    'LEPTON_UNKNOWN_VERSION',
    404,
    (name: string, version: string, known: string[]) =>
      `Model "${name}" has no version "${version}" (versions: ${known.join(', ') || 'none'}).`,
  ),
  /** The model (or that version of it) exists but is not serving. */
  notReady: coded(
    'LEPTON_MODEL_NOT_READY',
    409,
    (name: string, version: string, why: string) => `Model "${name}" version ${version} is not ready: ${why}.`,
  ),
  /** An input names no input of the model. */
  unknownInput: coded(
    'LEPTON_UNKNOWN_INPUT',
    400,
    (model: string, input: string, known: string[]) =>
      `Model "${model}" has no input "${input}" (inputs: ${known.join(', ')}).`,
  ),
  /** A model input is missing from the request. */
  missingInput: coded(
    'LEPTON_MISSING_INPUT',
    400,
    (model: string, input: string) => `The request lacks input "${input}" of model "${model}".`,
  ),
  /** The same input appears twice. */
  duplicateInput: coded('LEPTON_DUPLICATE_INPUT', 400, (input: string) => `Input "${input}" appears more than once.`),
  /** An input's datatype is not the model's. */
  badDatatype: coded(
    'LEPTON_BAD_DATATYPE',
    400,
    (input: string, got: string, want: string) => `Input "${input}" has datatype ${got}; the model expects ${want}.`,
  ),
  /** An input's shape does not fit the model's. */
  badShape: coded(
    'LEPTON_BAD_SHAPE',
    400,
    (input: string, got: readonly number[], want: readonly (number | string)[]) =>
      `Input "${input}" has shape [${got.join(', ')}]; the model expects [${want.join(', ')}].`,
  ),
  /** An input's data length does not match its shape. */
  badDataLength: coded(
    'LEPTON_BAD_DATA_LENGTH',
    400,
    (input: string, got: number, want: number) => `Input "${input}" has ${got} values; its shape holds ${want}.`,
  ),
  /** `Inference-Header-Content-Length` is not a byte count within the body (binary tensor data extension). */
  badHeaderLength: coded(
    'LEPTON_BAD_HEADER_LENGTH',
    400,
    (value: string, bodyBytes: number) =>
      `Inference-Header-Content-Length is "${value.slice(0, 40)}", but it must be the length in bytes of the JSON at the start of the body (0..${bodyBytes}).`,
  ),
  /** The binary tensors' `binary_data_size`s do not fit the binary part of the body, or a tensor's size does not fit its shape. */
  badBinarySize: coded('LEPTON_BAD_BINARY_SIZE', 400, (detail: string) => `Binary tensor data: ${detail}`),
  /** A binary tensor's bytes cannot be read as its datatype (BYTES framing, text that is not UTF-8). */
  badBinaryData: coded(
    'LEPTON_BAD_BINARY_DATA',
    400,
    (input: string, detail: string) =>
      `The binary data of "${input}" is malformed: ${detail}. BYTES elements are each a 4-byte little-endian length followed by that many bytes.`,
  ),
  /** A value is not a finite number of the input's datatype. */
  badValue: coded(
    'LEPTON_BAD_VALUE',
    400,
    (input: string, index: number, value: unknown, datatype: string) =>
      `Input "${input}" value at flat index ${index} (${describeValue(value)}) is not a valid ${datatype}${datatype.startsWith('FP') ? ' (NaN and Infinity are not allowed)' : ''}.`,
  ),
  /** The inputs disagree on the batch size. */
  batchMismatch: coded(
    'LEPTON_BATCH_MISMATCH',
    400,
    (sizes: string) => `The inputs disagree on the batch dimension: ${sizes}.`,
  ),
  /** An asked output is not an output of the model. */
  unknownOutput: coded(
    'LEPTON_UNKNOWN_OUTPUT',
    400,
    (model: string, output: string, known: string[]) =>
      `Model "${model}" has no output "${output}" (outputs: ${known.join(', ')}).`,
  ),
  /** The request asked for server-side preprocessing (`parameters.lepton_preprocess`) of a version deployed without transforms. */
  noTransforms: coded(
    'LEPTON_NO_TRANSFORMS',
    400,
    (model: string, version: string) =>
      `Model "${model}" version ${version} was deployed without transforms, so it cannot preprocess records (parameters.lepton_preprocess); ` +
      "send the model's input tensors, or redeploy with { transforms } (or { rawInput } for images).",
  ),
  /** The version's stored transforms cannot be applied (a registry written before the server checked them at deploy). */
  preprocessUnavailable: coded(
    'LEPTON_PREPROCESS_UNAVAILABLE',
    409,
    (model: string, version: string, why: string) =>
      `Model "${model}" version ${version} cannot preprocess records: ${why} Send the model's input tensors, or redeploy with transforms the server applies.`,
  ),
  /** A preprocessing request's records input is not the one the protocol asks for. */
  badRecords: coded(
    'LEPTON_BAD_RECORDS',
    400,
    (detail: string) =>
      `Bad records request: ${detail} Send one input { "name": "records", "datatype": "BYTES", "shape": [n], "data": [n JSON objects or their text] }.`,
  ),
  /** A record (or one of its fields) cannot be preprocessed. */
  badRecord: coded(
    'LEPTON_BAD_RECORD',
    400,
    (row: number, field: string | undefined, problem: string) =>
      `Record ${row}${field === undefined ? '' : `: "${field}"`} ${problem}.`,
  ),
  /** A preprocessing request's raw input is not the one the deployment's `rawInput` asks for. */
  badRawInput: coded(
    'LEPTON_BAD_RAW_INPUT',
    400,
    (detail: string, expected: string) => `Bad raw input: ${detail} Send one input ${expected}.`,
  ),
  /**
   * Some images of a request could not be decoded: the message names each index and reason, `details.indexes`
   * lists them; the request's other images are fine and can be sent again without them.
   */
  badImage: (bad: ReadonlyArray<{ index: number; reason: string }>, count: number) =>
    new ServerError(
      'LEPTON_BAD_IMAGE',
      400,
      `${bad.length === 1 ? 'Image' : 'Images'} ${bad.map((b) => `${b.index} (${b.reason})`).join(', ')} of the ${count} in the request could not be decoded; ` +
        'send image files (JPEG, PNG, WebP, GIF, TIFF or AVIF) base64-encoded. The other images decoded: send them again without the bad ones.',
      { indexes: bad.map((b) => b.index) },
    ),
  /**
   * Some elements of a raw text request are not strings: the message names each index, `details.indexes` lists
   * them; the other texts are fine and can be sent again without them.
   */
  badText: (bad: ReadonlyArray<{ index: number; type: string }>, count: number) =>
    new ServerError(
      'LEPTON_BAD_TEXT',
      400,
      `${bad.length === 1 ? 'Element' : 'Elements'} ${bad.map((b) => `${b.index} (${b.type})`).join(', ')} of the ${count} in the request ${bad.length === 1 ? 'is' : 'are'} not ${bad.length === 1 ? 'a string' : 'strings'}; ` +
        'send each text as a UTF-8 string (an empty string is a text too).',
      { indexes: bad.map((b) => b.index) },
    ),
  /** The model failed while running a request. */
  inferenceFailed: coded(
    'LEPTON_INFERENCE_FAILED',
    500,
    (model: string, version: string, detail: string) =>
      `Model "${model}" version ${version} failed on this request: ${detail}`,
  ),
  /** The management API was called without the right bearer token. */
  unauthorized: coded(
    'LEPTON_UNAUTHORIZED',
    401,
    () => 'The management API needs "Authorization: Bearer <token>" with the token in the Lepton home (server-token).',
  ),
  /** A deployment name that cannot be a folder name. */
  badName: coded(
    'LEPTON_BAD_NAME',
    400,
    (name: string) =>
      `"${name}" is not a valid model name: use 1-64 letters, digits, "_", "-" or ".", starting with a letter or digit.`,
  ),
  /** The uploaded bytes are not a loadable ONNX model. */
  badModel: coded(
    'LEPTON_BAD_MODEL',
    400,
    (detail: string) => `The uploaded model could not be loaded by onnxruntime: ${detail}`,
  ),
  /** The uploaded metadata does not agree with the model. */
  badMeta: coded('LEPTON_BAD_META', 400, (detail: string) => `The deployment metadata is invalid: ${detail}`),
  /** Rollback has nowhere to go. */
  noEarlierVersion: coded(
    'LEPTON_NO_EARLIER_VERSION',
    409,
    (name: string, version: string) => `Model "${name}" has no version earlier than ${version} to roll back to.`,
  ),
  /** The disk under the Lepton home is full (or over quota): nothing was changed. */
  storageFull: coded(
    'LEPTON_STORAGE_FULL',
    507,
    (what: string, detail: string) =>
      `${what} failed: the disk of the Lepton home is full (${detail}). Nothing was changed and the serving version keeps serving; ` +
      'free space (remove old versions with DELETE /lepton/v1/deployments/<name>/versions/<v> or deployment.remove({ version })), then try again.',
  ),
  /** Writing the registry failed for another reason than a full disk. */
  storageFailed: coded(
    'LEPTON_STORAGE_FAILED',
    500,
    (what: string, detail: string) =>
      `${what} failed writing the Lepton home (${detail}). Nothing was changed; check the folder's permissions and disk, then try again.`,
  ),
  /** The deployment's queue is full: the request was not queued. */
  overloaded: coded(
    'LEPTON_OVERLOADED',
    503,
    (model: string, queued: number) =>
      `Model "${model}" is overloaded: ${queued} requests are already queued. Retry after the time in Retry-After, ` +
      'or raise batching.maxQueue (or add workers) when deploying.',
  ),
  /** The request waited in the queue past its deadline and was dropped before running. */
  deadlineExceeded: coded(
    'LEPTON_DEADLINE_EXCEEDED',
    503,
    (model: string, ms: number) =>
      `Model "${model}" could not start this request within its deadline of ${ms} ms (the server is overloaded). ` +
      'Retry later, or raise batching.timeoutMs when deploying.',
  ),
  /** The client closed the connection before the answer (never seen by that client; counted). */
  clientClosed: coded(
    'LEPTON_CLIENT_CLOSED',
    499,
    (model: string) => `The client of a request to "${model}" closed the connection; its queued work was dropped.`,
  ),
  /** The request holds more tensor elements than the server accepts in one request. */
  tooManyElements: coded(
    'LEPTON_TOO_MANY_ELEMENTS',
    413,
    (input: string, got: number, limit: number) =>
      `Input "${input}" has ${got} elements; one request may hold at most ${limit}. Split it into smaller batches, or start the server with a larger --max-elements.`,
  ),
  /** Nested `data` whose structure is not the shape's. */
  raggedData: coded(
    'LEPTON_RAGGED_DATA',
    400,
    (input: string, path: string, got: number, want: number, shape: readonly number[]) =>
      `Input "${input}" data${path} has ${got} entries where shape [${shape.join(', ')}] needs ${want}: nested data must follow the shape exactly (or send it flat).`,
  ),
  /** JSON nested deeper than the server parses. */
  tooDeep: coded(
    'LEPTON_BAD_JSON',
    400,
    () => 'The request body nests too deeply to be processed: send tensor data flat, or nested exactly as its shape.',
  ),
  /** A request whose Host header names a host this server was not started for (DNS rebinding). */
  hostNotAllowed: coded(
    'LEPTON_HOST_NOT_ALLOWED',
    403,
    (host: string) =>
      `Host "${host}" is not a name of this server, so the request is refused (a DNS-rebinding guard). ` +
      'Use 127.0.0.1 or localhost, or start the server with --allow-host ' +
      host.replace(/:\d+$/, '') +
      '.',
  ),
  /** An inference route called without the inference token the server was started with. */
  inferenceUnauthorized: coded(
    'LEPTON_UNAUTHORIZED',
    401,
    () =>
      'This server requires "Authorization: Bearer <token>" on inference: the --inference-token it was started with (or the management token).',
  ),
  /** A version cannot be removed while it is the one a deployment serves. */
  versionInUse: coded(
    'LEPTON_VERSION_IN_USE',
    409,
    (name: string, version: string) =>
      `Version ${version} of "${name}" is the one it serves (or would serve on start); roll back to another version first, or remove the whole deployment.`,
  ),
  /** A registry entry that cannot be restored (the deployment is listed as failed with this reason). */
  brokenEntry: coded(
    'LEPTON_BROKEN_ENTRY',
    409,
    (name: string, problem: string, fix: string) => `The registry entry of "${name}" is broken: ${problem}. ${fix}`,
  ),
  /** No route matches. */
  notFound: coded('LEPTON_NOT_FOUND', 404, (method: string, url: string) => `No route for ${method} ${url}.`),
  /** Anything unexpected. */
  internal: coded('LEPTON_INTERNAL', 500, (detail: string) => `Internal server error: ${detail}`),
} as const;

/**
 * The codes of the catalogue's fixed entries (`LEPTON_UNKNOWN_MODEL`, …), derived from them: a code is written once,
 * there. (`badImage` and `badText` build their errors per call, with details, and are not among them.)
 */
export type ServerErrorCode = {
  [K in keyof typeof errors]: (typeof errors)[K] extends Make<infer C, never> ? C : never;
}[keyof typeof errors];

/**
 * The error for a failed write to the Lepton home: 507 `LEPTON_STORAGE_FULL` for a full disk or quota, else 500
 * `LEPTON_STORAGE_FAILED`. `what` names the operation ("Deploying \"mlp\"").
 */
export function storageError(what: string, error: unknown): ServerError {
  if (error instanceof ServerError) return error;
  const e = error as Partial<NodeJS.ErrnoException> | null | undefined; // anything can be thrown
  const detail = e?.message ?? String(error);
  return e?.code === 'ENOSPC' || e?.code === 'EDQUOT'
    ? errors.storageFull(what, detail)
    : errors.storageFailed(what, detail);
}

/** A short description of a JSON value for a message: never the whole of a (possibly deeply nested) array or object. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? text.slice(0, 40) + '…' : text;
}

/** The JSON body for `error`. */
export function errorBody(error: ServerError): ErrorBody {
  return error.details === undefined
    ? { error: error.message, code: error.code }
    : { error: error.message, code: error.code, details: error.details };
}
