/**
 * `@lepton/server/wire`: how Open Inference Protocol v2 bodies travel, declared once for the server and its
 * clients: the binary tensor data extension's layout and parameters, and FP16 conversions.
 * @packageDocumentation
 */
export {
  arrayBytes,
  arrayFromBytes,
  BINARY_CONTENT_TYPE,
  BINARY_DATA,
  BINARY_DATA_OUTPUT,
  BINARY_DATA_SIZE,
  BINARY_EXTENSION,
  binaryDataSize,
  binarySlices,
  decodeBytesElements,
  ELEMENT_BYTES,
  elementText,
  encodeBytesElements,
  HEADER_LENGTH,
  joinBody,
  splitBody,
  wantsBinary,
  type BinaryArray,
  type BodyParts,
  type JoinedBody,
  type WireTensor,
} from './binary.js';
export { fromHalf, halfNonFinite, toHalf } from './half.js';
export { DATATYPES, type Datatype, type SpecDType, type TensorSpec, type TfjsTensorSpec } from './tensor-spec.js';
