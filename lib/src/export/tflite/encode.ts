/**
 * Writes a `TfliteGraph` as a `.tflite` flatbuffer (schema version 3, file identifier `TFL3`) through the accessors
 * flatc generated from TensorFlow Lite's `schema.fbs` (`generated/`, see `schema/README.md`). Constant data goes in
 * the model's buffers, each aligned to 16 bytes so kernels can read it in place (the generated code aligns to 1).
 */
import * as flatbuffers from 'flatbuffers';
import { Buffer as FbBuffer } from './generated/schema/tflite/buffer.js';
import { Model } from './generated/schema/tflite/model.js';
import { MetadataT } from './generated/schema/tflite/metadata.js';
import { OperatorCodeT } from './generated/schema/tflite/operator-code.js';
import { OperatorT } from './generated/schema/tflite/operator.js';
import { QuantizationParametersT } from './generated/schema/tflite/quantization-parameters.js';
import { SignatureDefT } from './generated/schema/tflite/signature-def.js';
import { SubGraphT } from './generated/schema/tflite/sub-graph.js';
import { TensorMapT } from './generated/schema/tflite/tensor-map.js';
import { TensorT } from './generated/schema/tflite/tensor.js';
import { TensorType } from './generated/schema/tflite/tensor-type.js';
import type { Op } from './options.js';
import type { TensorValues, TfliteDType, TfliteGraph } from './graph.js';
import { ExportError } from '../errors.js';

/** The schema version Lepton writes (TensorFlow Lite's current one). */
export const TFLITE_SCHEMA_VERSION = 3;

/** The signature key TFLite's signature runner uses by default. */
export const SIGNATURE_KEY = 'serving_default';

const tensorTypes: Record<TfliteDType, TensorType> = {
  float32: TensorType.FLOAT32,
  float16: TensorType.FLOAT16,
  int32: TensorType.INT32,
  int8: TensorType.INT8,
  int64: TensorType.INT64,
};

/** A named blob stored in the model's `metadata` list (e.g. `TFLITE_METADATA`). */
export interface MetadataEntry {
  /** The entry's name. */
  name: string;
  /** Its bytes. */
  data: Uint8Array;
}

/** What the file says about itself besides the graph. */
export interface EncodeInfo {
  /** The model's description string. */
  description: string;
  /** Named metadata buffers. */
  metadata?: MetadataEntry[];
  /** Signature names of the inputs and outputs, in the subgraph's order (default: the tensors' names). */
  inputNames?: string[];
  outputNames?: string[];
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(data: TensorValues): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A `Buffer` table whose data vector starts on a 16-byte boundary. */
function alignedBuffer(builder: flatbuffers.Builder, data: Uint8Array): flatbuffers.Offset {
  // The builder fills its byte array from the end; `space` is where the next byte goes (public in the runtime,
  // not in its typings).
  const inner = builder as unknown as { space: number; bb: flatbuffers.ByteBuffer };
  builder.startVector(1, data.length, 16);
  inner.space -= data.length;
  inner.bb.bytes().set(data, inner.space);
  const vector = builder.endVector();
  FbBuffer.startBuffer(builder);
  FbBuffer.addData(builder, vector);
  return FbBuffer.endBuffer(builder);
}

/** The graph's `.tflite` bytes. */
export function encodeTflite(g: TfliteGraph, info: EncodeInfo): Uint8Array {
  if (!littleEndian) throw new ExportError('LEPTON_UNSUPPORTED_HOST', 'TFLite export needs a little-endian host');
  const codes: Op[] = [];
  const codeIndex = (code: Op) => {
    const at = codes.indexOf(code);
    if (at >= 0) return at;
    codes.push(code);
    return codes.length - 1;
  };
  // Buffer 0 is the empty buffer every non-constant tensor points at.
  const blobs: Uint8Array[] = [new Uint8Array(0)];
  const tensors = g.tensors.map((t) => {
    let buffer = 0;
    if (t.data) {
      blobs.push(bytesOf(t.data));
      buffer = blobs.length - 1;
    }
    const q = t.quantization
      ? new QuantizationParametersT(
          [],
          [],
          t.quantization.scale,
          t.quantization.zeroPoint.map((z) => BigInt(z)),
          undefined,
          null,
          t.quantization.axis,
        )
      : null;
    const dynamic = t.signature.some((d) => d < 0);
    return new TensorT(t.shape, tensorTypes[t.dtype], buffer, t.name, q, false, null, dynamic ? t.signature : [], true);
  });
  const operators = g.ops.map(
    (op) => new OperatorT(codeIndex(op.code), op.inputs, op.outputs, op.optionsType, op.options as never),
  );
  const subgraph = new SubGraphT(tensors, g.inputs, g.outputs, operators, g.name);
  const metadata = (info.metadata ?? []).map((m) => {
    blobs.push(m.data);
    return new MetadataT(m.name, blobs.length - 1);
  });
  const names = (indices: number[], given: string[] | undefined) =>
    indices.map((index, k) => new TensorMapT(given?.[k] ?? g.tensor(index).name, index));
  const signature = new SignatureDefT(
    names(g.inputs, info.inputNames),
    names(g.outputs, info.outputNames),
    SIGNATURE_KEY,
    0,
  );
  const opcodes = codes.map((code) => new OperatorCodeT(Math.min(code, 127), null, 1, code));

  const total = blobs.reduce((n, b) => n + b.length + 16, 0);
  const builder = new flatbuffers.Builder(total + 64 * 1024);
  // Data first: built back to front, the big buffers end up at the file's end, after the tables that point at them.
  const bufferOffsets = blobs.map((b, i) =>
    i === 0 ? (FbBuffer.startBuffer(builder), FbBuffer.endBuffer(builder)) : alignedBuffer(builder, b),
  );
  const buffersVector = Model.createBuffersVector(builder, bufferOffsets);
  const opcodesVector = Model.createOperatorCodesVector(
    builder,
    opcodes.map((c) => c.pack(builder)),
  );
  const subgraphsVector = Model.createSubgraphsVector(builder, [subgraph.pack(builder)]);
  const metadataVector = Model.createMetadataVector(
    builder,
    metadata.map((m) => m.pack(builder)),
  );
  const signaturesVector = Model.createSignatureDefsVector(builder, [signature.pack(builder)]);
  const description = builder.createString(info.description);
  Model.startModel(builder);
  Model.addVersion(builder, TFLITE_SCHEMA_VERSION);
  Model.addOperatorCodes(builder, opcodesVector);
  Model.addSubgraphs(builder, subgraphsVector);
  Model.addDescription(builder, description);
  Model.addBuffers(builder, buffersVector);
  if (metadata.length) Model.addMetadata(builder, metadataVector);
  Model.addSignatureDefs(builder, signaturesVector);
  builder.finish(Model.endModel(builder), 'TFL3');
  return builder.asUint8Array().slice();
}
