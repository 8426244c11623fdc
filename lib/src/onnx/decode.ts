/**
 * Decodes `.onnx` bytes into the typed messages of `format.ts`, with `protobufjs` and the schema in
 * `schema.ts`. Only what Lepton writes is kept (tensor data must be in `raw_data`).
 */
import protobuf from 'protobufjs';
import type {
  AttributeProto,
  DataType,
  Dimension,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  ValueInfoProto,
} from './format.js';
import { AttributeType } from './format.js';
import { onnxProtoSchema } from './schema.js';
import { OnnxError } from './errors.js';

/*
 * The plain objects `Type.toObject` makes from the messages of `schema.ts`, with the options `decodeModel` passes:
 * snake_case names (`keepCase`), int64 as numbers (`longs: Number`), bytes as `Uint8Array`, and a field that is not
 * in the file left out (`defaults: false`). protobufjs types every decoded message as `{ [k: string]: any }`; these
 * say which fields the schema gives each message, so the readers below are checked against the schema.
 */

interface WireModel {
  ir_version?: number;
  opset_import?: WireOperatorSetId[];
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: WireGraph;
  metadata_props?: WireStringStringEntry[];
}

interface WireOperatorSetId {
  domain?: string;
  version?: number;
}

interface WireStringStringEntry {
  key?: string;
  value?: string;
}

interface WireGraph {
  name?: string;
  node?: WireNode[];
  initializer?: WireTensor[];
  input?: WireValueInfo[];
  output?: WireValueInfo[];
  value_info?: WireValueInfo[];
}

interface WireNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: WireAttribute[];
}

interface WireAttribute {
  name?: string;
  /** `AttributeProto.AttributeType` as its number (the schema's enum has kinds Lepton does not read). */
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: WireTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

interface WireTensor {
  name?: string;
  data_type?: number;
  dims?: number[];
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
}

interface WireValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: WireDimension[] } } };
}

interface WireDimension {
  dim_value?: number;
  dim_param?: string;
}

let modelType: protobuf.Type | undefined;

/** Reads the bytes of a `.onnx` file written by Lepton (or any file using the same message subset). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  modelType ??= protobuf.parse(onnxProtoSchema, { keepCase: true }).root.lookupType('onnx.ModelProto');
  const m: WireModel = modelType.toObject(modelType.decode(bytes), {
    longs: Number,
    bytes: Uint8Array,
    defaults: false,
    arrays: true,
  });
  return {
    irVersion: m.ir_version ?? 0,
    opsetImport: (m.opset_import ?? []).map((o) => ({ domain: o.domain ?? '', version: o.version ?? 0 })),
    producerName: m.producer_name ?? '',
    producerVersion: m.producer_version ?? '',
    docString: m.doc_string ?? '',
    graph: graphOf(m.graph ?? {}),
    metadataProps: (m.metadata_props ?? []).map((e) => ({ key: e.key ?? '', value: e.value ?? '' })),
  };
}

function graphOf(g: WireGraph): GraphProto {
  return {
    name: g.name ?? '',
    node: (g.node ?? []).map(nodeOf),
    initializer: (g.initializer ?? []).map(tensorOf),
    input: (g.input ?? []).map(valueInfoOf),
    output: (g.output ?? []).map(valueInfoOf),
    valueInfo: (g.value_info ?? []).map(valueInfoOf),
  };
}

function nodeOf(n: WireNode): NodeProto {
  return {
    input: n.input ?? [],
    output: n.output ?? [],
    name: n.name ?? '',
    opType: n.op_type ?? '',
    domain: n.domain ?? '',
    attribute: (n.attribute ?? []).map(attributeOf),
  };
}

const text = new TextDecoder();

function attributeOf(a: WireAttribute): AttributeProto {
  const name = a.name ?? '';
  // The cases are the wire numbers of `AttributeProto.AttributeType`; each returns the member of `AttributeType`
  // with that number.
  switch (a.type) {
    case 1:
      return { name, type: AttributeType.FLOAT, f: a.f ?? 0 };
    case 2:
      return { name, type: AttributeType.INT, i: a.i ?? 0 };
    case 3:
      return { name, type: AttributeType.STRING, s: text.decode(a.s ?? new Uint8Array()) };
    case 4:
      return { name, type: AttributeType.TENSOR, t: tensorOf(a.t ?? {}) };
    case 6:
      return { name, type: AttributeType.FLOATS, floats: a.floats ?? [] };
    case 7:
      return { name, type: AttributeType.INTS, ints: a.ints ?? [] };
    case 8:
      return { name, type: AttributeType.STRINGS, strings: (a.strings ?? []).map((s) => text.decode(s)) };
    default:
      throw new OnnxError(
        'LEPTON_UNREADABLE_ONNX',
        `attribute ${JSON.stringify(name)} has type ${String(a.type)}, which Lepton does not read`,
      );
  }
}

/**
 * The element type a file names. A file from another writer (`compress.report` reads any `.onnx`) may name one Lepton
 * does not write, e.g. FLOAT16 = 10: it is passed through as read and matches no member where a reader compares it.
 */
function dataTypeOf(code: number): DataType {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- codes outside the enum pass through on purpose (above)
  return code;
}

function tensorOf(t: WireTensor): TensorProto {
  if (t.raw_data === undefined && (t.float_data?.length || t.int64_data?.length || t.int32_data?.length)) {
    throw new OnnxError(
      'LEPTON_UNREADABLE_ONNX',
      `tensor ${JSON.stringify(t.name)} stores its data outside raw_data, which Lepton does not read`,
    );
  }
  return {
    name: t.name ?? '',
    dataType: dataTypeOf(t.data_type ?? 0),
    dims: t.dims ?? [],
    rawData: t.raw_data ?? new Uint8Array(),
  };
}

function valueInfoOf(v: WireValueInfo): ValueInfoProto {
  const tensor = v.type?.tensor_type ?? {};
  const shape: Dimension[] = (tensor.shape?.dim ?? []).map((d) =>
    d.dim_param !== undefined ? { dimParam: d.dim_param } : { dimValue: d.dim_value ?? 0 },
  );
  return { name: v.name ?? '', elemType: dataTypeOf(tensor.elem_type ?? 0), shape };
}
