/**
 * The binary tensor data extension of the Open Inference Protocol v2 (Triton's `binary_tensor_data`, also in
 * KServe): one place that says how a body with binary tensors is laid out, used by the server for requests and
 * answers and by Lepton's client (`Deployment.predict`) for the other direction.
 *
 * A body is the JSON object, then the binary data of every tensor whose `parameters.binary_data_size` is set, in
 * the order the tensors appear in the JSON, with no padding. The `Inference-Header-Content-Length` header gives the
 * JSON's length in bytes. Elements are little-endian, row-major, each in its type's native size; a BOOL is one byte
 * (0 or 1); a BYTES element is a 4-byte little-endian unsigned length, then that many bytes. A requested output
 * comes back binary when its `parameters.binary_data` is true, or when the request's `parameters.binary_data_output`
 * is true and the output does not say otherwise.
 */
import { errors } from '../errors.js';

/** The name `GET /v2` lists in `extensions`. */
export const BINARY_EXTENSION = 'binary_tensor_data';
/** The HTTP header that gives the JSON part's length in bytes (lower case, as Node delivers headers). */
export const HEADER_LENGTH = 'inference-header-content-length';
/** The tensor parameter that says the tensor's data follows the JSON, and how many bytes it takes. */
export const BINARY_DATA_SIZE = 'binary_data_size';
/** The requested-output parameter asking for that output as binary data. */
export const BINARY_DATA = 'binary_data';
/** The request parameter asking for every output as binary data (an output's own `binary_data` wins). */
export const BINARY_DATA_OUTPUT = 'binary_data_output';
/** The content type of a body with binary data. */
export const BINARY_CONTENT_TYPE = 'application/octet-stream';

/** Bytes per element of each fixed-size OIP datatype (BYTES elements carry their own length). */
export const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  BF16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** A tensor as far as the binary layout cares: its name and parameters. */
export interface WireTensor {
  /** The tensor's name. */
  name: string;
  /** Its parameters, where `binary_data_size` says how many bytes of the binary part are its data. */
  parameters?: Record<string, unknown>;
}

/** A body that uses the binary extension, split in two. */
export interface BodyParts {
  /** The JSON part. */
  json: Uint8Array;
  /** The binary part, every tensor's bytes one after the other. */
  binary: Uint8Array;
}

/** A body joined from its JSON and binary parts. */
export interface JoinedBody {
  /** The whole body. */
  body: Buffer;
  /** The JSON part's length, for `Inference-Header-Content-Length`. */
  headerLength: number;
}

/** The typed arrays whose bytes are sent as they lie in memory. */
export type BinaryArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

// Typed arrays are sent as the machine holds them: the format is little-endian, and so is every platform Node ships on.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new Error('The binary tensor data extension needs a little-endian machine.');

/**
 * The JSON part and the binary part of a body. `headerLength` is the `Inference-Header-Content-Length` header
 * (undefined: the whole body is JSON). Throws 400 `LEPTON_BAD_HEADER_LENGTH` when it is not a whole number of
 * bytes within the body.
 */
export function splitBody(body: Uint8Array, headerLength: string | string[] | number | undefined): BodyParts {
  if (headerLength === undefined) return { json: body, binary: body.subarray(body.length) };
  const text = Array.isArray(headerLength) ? headerLength.join(',') : String(headerLength);
  const length = /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(length) || length > body.length) throw errors.badHeaderLength(text, body.length);
  return { json: body.subarray(0, length), binary: body.subarray(length) };
}

/** A tensor's `binary_data_size`, or undefined when its data is in the JSON. Throws when it is not a byte count. */
export function binaryDataSize(tensor: WireTensor): number | undefined {
  const size = tensor.parameters?.[BINARY_DATA_SIZE];
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw errors.badBinarySize(
      `"${tensor.name}" has ${BINARY_DATA_SIZE} ${JSON.stringify(size)}; it must be the tensor's size in bytes (a whole number ≥ 0).`,
    );
  }
  return size;
}

/**
 * Each tensor's binary data (undefined for a tensor sent as JSON), cut from `binary` in the tensors' order.
 * Throws 400 `LEPTON_BAD_BINARY_SIZE` when the sizes do not add up to exactly the bytes after the JSON.
 */
export function binarySlices(tensors: readonly WireTensor[], binary: Uint8Array): Array<Uint8Array | undefined> {
  const out: Array<Uint8Array | undefined> = [];
  let offset = 0;
  for (const tensor of tensors) {
    const size = binaryDataSize(tensor);
    if (size === undefined) {
      out.push(undefined);
      continue;
    }
    if (offset + size > binary.length) {
      throw errors.badBinarySize(
        `"${tensor.name}" declares ${BINARY_DATA_SIZE} ${size}, but only ${binary.length - offset} bytes of binary data are left after the JSON part (Inference-Header-Content-Length).`,
      );
    }
    out.push(binary.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== binary.length) {
    throw errors.badBinarySize(
      `the body holds ${binary.length} bytes after the JSON part, but the tensors' ${BINARY_DATA_SIZE} add up to ${offset}; ` +
        "set Inference-Header-Content-Length to the JSON's length in bytes and one binary_data_size per binary tensor.",
    );
  }
  return out;
}

/** A body of `json` followed by `chunks`, and the length to send as `Inference-Header-Content-Length`. */
export function joinBody(json: string, chunks: readonly Uint8Array[]): JoinedBody {
  const head = Buffer.from(json, 'utf8');
  return { body: Buffer.concat([head, ...chunks]), headerLength: head.length };
}

/** The bytes of a fixed-size typed array, as they lie in memory (no copy). */
export function arrayBytes(data: BinaryArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A typed array over `bytes` (copied when they are not aligned for the element size, as a slice of a body usually
 * is not). `Ctor` is the array type of the datatype.
 */
export function arrayFromBytes<T extends BinaryArray>(
  Ctor: {
    new (buffer: ArrayBuffer, offset: number, length: number): T;
    new (length: number): T;
    BYTES_PER_ELEMENT: number;
  },
  bytes: Uint8Array,
): T {
  const size = Ctor.BYTES_PER_ELEMENT;
  const count = bytes.length / size;
  if (bytes.byteOffset % size === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const out = new Ctor(count);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** BYTES elements laid out as the extension sends them: each a 4-byte little-endian length, then its bytes. */
export function encodeBytesElements(elements: ReadonlyArray<string | Uint8Array>): Uint8Array {
  const encoded = elements.map((e) => (typeof e === 'string' ? Buffer.from(e, 'utf8') : e));
  let total = 0;
  for (const e of encoded) total += 4 + e.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const e of encoded) {
    view.setUint32(offset, e.length, true);
    out.set(e, offset + 4);
    offset += 4 + e.length;
  }
  return out;
}

/**
 * The BYTES elements of a tensor's binary data (views, not copies). Throws 400 `LEPTON_BAD_BINARY_DATA` naming the
 * tensor when a length runs past the data or the count is not `count`.
 */
export function decodeBytesElements(name: string, bytes: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length)
      throw errors.badBinaryData(
        name,
        `element ${out.length} starts at byte ${offset} but its 4-byte length does not fit in the ${bytes.length} bytes`,
      );
    const length = view.getUint32(offset, true);
    if (offset + 4 + length > bytes.length)
      throw errors.badBinaryData(
        name,
        `element ${out.length} at byte ${offset} says it has ${length} bytes, past the end of the tensor's ${bytes.length} bytes`,
      );
    out.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  if (out.length !== count)
    throw errors.badBinaryData(name, `it holds ${out.length} BYTES elements; its shape holds ${count}`);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A BYTES element as text. Throws 400 `LEPTON_BAD_BINARY_DATA` when it is not UTF-8 (models take strings). */
export function elementText(name: string, index: number, element: Uint8Array): string {
  try {
    return utf8.decode(element);
  } catch {
    throw errors.badBinaryData(name, `BYTES element ${index} is not valid UTF-8 text, which string inputs need`);
  }
}

/**
 * Whether the requested output `name` should be answered as binary data: its own `binary_data`, else the request's
 * `binary_data_output`. Throws 400 `LEPTON_BAD_REQUEST` when either is not a boolean.
 */
export function wantsBinary(
  request: { parameters?: Record<string, unknown>; outputs?: readonly WireTensor[] },
  name: string,
): boolean {
  const own = request.outputs?.find((o) => o.name === name)?.parameters?.[BINARY_DATA];
  if (own !== undefined) {
    if (typeof own !== 'boolean')
      throw errors.badRequest(`outputs "${name}" parameters.${BINARY_DATA} must be true or false.`);
    return own;
  }
  const all = request.parameters?.[BINARY_DATA_OUTPUT];
  if (all !== undefined && typeof all !== 'boolean')
    throw errors.badRequest(`parameters.${BINARY_DATA_OUTPUT} must be true or false.`);
  return all === true;
}
