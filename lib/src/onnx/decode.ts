/**
 * Decodes `.onnx` bytes into the typed messages of `format.ts`, with `protobufjs` and the schema in
 * `schema.ts`. Only what Lepton writes is kept (tensor data must be in `raw_data`).
 */
import protobuf from 'protobufjs';
import type {
  AttributeProto,
  Dimension,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  ValueInfoProto,
} from './format.js';
import { onnxProtoSchema } from './schema.js';
import { OnnxError } from './errors.js';

let modelType: protobuf.Type | undefined;

/** Reads the bytes of a `.onnx` file written by Lepton (or any file using the same message subset). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  modelType ??= protobuf.parse(onnxProtoSchema, { keepCase: true }).root.lookupType('onnx.ModelProto');
  const m = modelType.toObject(modelType.decode(bytes), {
    longs: Number,
    bytes: Uint8Array,
    defaults: false,
    arrays: true,
  }) as any;
  return {
    irVersion: m.ir_version ?? 0,
    opsetImport: (m.opset_import ?? []).map((o: any) => ({ domain: o.domain ?? '', version: o.version ?? 0 })),
    producerName: m.producer_name ?? '',
    producerVersion: m.producer_version ?? '',
    docString: m.doc_string ?? '',
    graph: graphOf(m.graph ?? {}),
    metadataProps: (m.metadata_props ?? []).map((e: any) => ({ key: e.key ?? '', value: e.value ?? '' })),
  };
}

function graphOf(g: any): GraphProto {
  return {
    name: g.name ?? '',
    node: (g.node ?? []).map(nodeOf),
    initializer: (g.initializer ?? []).map(tensorOf),
    input: (g.input ?? []).map(valueInfoOf),
    output: (g.output ?? []).map(valueInfoOf),
    valueInfo: (g.value_info ?? []).map(valueInfoOf),
  };
}

function nodeOf(n: any): NodeProto {
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

function attributeOf(a: any): AttributeProto {
  const name: string = a.name ?? '';
  switch (a.type) {
    case 1:
      return { name, type: 1, f: a.f ?? 0 };
    case 2:
      return { name, type: 2, i: a.i ?? 0 };
    case 3:
      return { name, type: 3, s: text.decode(a.s ?? new Uint8Array()) };
    case 4:
      return { name, type: 4, t: tensorOf(a.t ?? {}) };
    case 6:
      return { name, type: 6, floats: a.floats ?? [] };
    case 7:
      return { name, type: 7, ints: a.ints ?? [] };
    case 8:
      return { name, type: 8, strings: (a.strings ?? []).map((s: Uint8Array) => text.decode(s)) };
    default:
      throw new OnnxError(
        'LEPTON_UNREADABLE_ONNX',
        `attribute ${JSON.stringify(name)} has type ${a.type}, which Lepton does not read`,
      );
  }
}

function tensorOf(t: any): TensorProto {
  if (t.raw_data === undefined && (t.float_data?.length || t.int64_data?.length || t.int32_data?.length)) {
    throw new OnnxError(
      'LEPTON_UNREADABLE_ONNX',
      `tensor ${JSON.stringify(t.name)} stores its data outside raw_data, which Lepton does not read`,
    );
  }
  return {
    name: t.name ?? '',
    dataType: t.data_type ?? 0,
    dims: t.dims ?? [],
    rawData: t.raw_data ?? new Uint8Array(),
  };
}

function valueInfoOf(v: any): ValueInfoProto {
  const tensor = v.type?.tensor_type ?? {};
  const shape: Dimension[] = (tensor.shape?.dim ?? []).map((d: any) =>
    d.dim_param !== undefined ? { dimParam: d.dim_param } : { dimValue: d.dim_value ?? 0 },
  );
  return { name: v.name ?? '', elemType: tensor.elem_type ?? 0, shape };
}
