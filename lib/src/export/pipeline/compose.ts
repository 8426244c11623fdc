/**
 * Composition of ONNX models at the protobuf wire level: a front graph (the fitted transforms) prepended to any
 * model's graph. The model's own bytes are kept field for field (its nodes, weights in whatever encoding, subgraphs,
 * functions, metadata), so a model from any producer composes: the tfjs converter's, a tree ensemble's, a file
 * made elsewhere. Only the names it uses are read, to keep the front's names apart from them, and its graph inputs,
 * to find the one the front feeds.
 */
import { ExportError } from '../errors.js';
import { modelProto } from '../../onnx/graph.js';
import { encodeModel } from '../../onnx/encode.js';
import { DataType, type Dimension, type GraphProto } from '../../onnx/format.js';
import { ProtoWriter } from '../../onnx/protobuf-writer.js';

/** One field of a protobuf message: its number, wire type, and where its payload lies in the message's bytes. */
interface WireField {
  field: number;
  wire: number;
  /** The first byte of the field (its tag). */
  start: number;
  /** One past its last byte. */
  end: number;
  /** Where the payload of a length-delimited field starts (after the length). */
  payload: number;
}

/** An input or output of a model as its graph declares it. */
export interface GraphValue {
  /** The value's name. */
  name: string;
  /** Its ONNX element type (0 when it is not a tensor, e.g. a sequence of maps). */
  elemType: number;
  /** Its dimensions; a symbolic one is its name. */
  dims: Array<number | string>;
}

/** What composition needs to know about a model. */
export interface ModelView {
  /** Every value, node and initializer name of the main graph (the front's names must avoid them). */
  names: ReadonlySet<string>;
  /** The graph's inputs that are not initializers, in order. */
  inputs: GraphValue[];
  /** The graph's outputs, in order. */
  outputs: GraphValue[];
  /** The opsets it imports: domain (`''` for ONNX's) → version. */
  opsets: ReadonlyMap<string, number>;
  /** Its IR version. */
  irVersion: number;
  /** The operator types its main graph calls. */
  operators: ReadonlySet<string>;
}

const text = new TextDecoder();

function varint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let pos = at; pos < bytes.length; pos++) {
    const byte = bytes[pos]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos + 1];
    scale *= 128;
  }
  throw new ExportError(
    'LEPTON_BAD_MODEL',
    'The model is not a valid ONNX file: a varint runs past the end of its bytes.',
  );
}

/** The fields of a message, in order. */
function wireFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, next] = varint(bytes, pos);
    const wire = tag % 8;
    let payload = next;
    if (wire === 0) pos = varint(bytes, next)[1];
    else if (wire === 1) pos = next + 8;
    else if (wire === 5) pos = next + 4;
    else if (wire === 2) {
      const [length, after] = varint(bytes, next);
      payload = after;
      pos = after + length;
    } else
      throw new ExportError(
        'LEPTON_BAD_MODEL',
        `The model is not a valid ONNX file: wire type ${wire} at byte ${start}.`,
      );
    if (pos > bytes.length)
      throw new ExportError(
        'LEPTON_BAD_MODEL',
        `The model is not a valid ONNX file: a field at byte ${start} runs past the end.`,
      );
    fields.push({ field: Math.floor(tag / 8), wire, start, end: pos, payload });
  }
  return fields;
}

function payloadOf(bytes: Uint8Array, f: WireField): Uint8Array {
  return bytes.subarray(f.payload, f.end);
}

function stringsOf(bytes: Uint8Array, field: number): string[] {
  return wireFields(bytes)
    .filter((f) => f.field === field && f.wire === 2)
    .map((f) => text.decode(payloadOf(bytes, f)));
}

function messagesOf(bytes: Uint8Array, field: number): Uint8Array[] {
  return wireFields(bytes)
    .filter((f) => f.field === field && f.wire === 2)
    .map((f) => payloadOf(bytes, f));
}

function varintOf(bytes: Uint8Array, field: number): number | undefined {
  const f = wireFields(bytes).find((x) => x.field === field && x.wire === 0);
  return f === undefined ? undefined : varint(bytes, varint(bytes, f.start)[1])[0];
}

// Field numbers of onnx.proto read here (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto).
const MODEL = { irVersion: 1, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const GRAPH = {
  node: 1,
  name: 2,
  initializer: 5,
  input: 11,
  output: 12,
  valueInfo: 13,
  sparseInitializer: 15,
} as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4 } as const;

function graphValue(bytes: Uint8Array): GraphValue {
  const name = stringsOf(bytes, 1)[0] ?? '';
  const tensor = messagesOf(messagesOf(bytes, 2)[0] ?? new Uint8Array(), 1)[0];
  if (tensor === undefined) return { name, elemType: 0, dims: [] };
  const shape = messagesOf(tensor, 2)[0];
  const dims = shape === undefined ? [] : messagesOf(shape, 1).map((d) => varintOf(d, 1) ?? stringsOf(d, 2)[0] ?? '?');
  return { name, elemType: varintOf(tensor, 1) ?? 0, dims };
}

function graphOf(model: Uint8Array): Uint8Array {
  const graph = messagesOf(model, MODEL.graph)[0];
  if (graph === undefined)
    throw new ExportError('LEPTON_BAD_MODEL', 'The model is not a valid ONNX file: it has no graph.');
  return graph;
}

/** Reads what composition needs from a model's bytes. Throws `LEPTON_BAD_MODEL` when they are not an ONNX model. */
export function inspectModel(model: Uint8Array): ModelView {
  const graph = graphOf(model);
  const names = new Set<string>();
  const operators = new Set<string>();
  for (const node of messagesOf(graph, GRAPH.node)) {
    for (const op of stringsOf(node, NODE.opType)) operators.add(op);
    for (const field of [NODE.input, NODE.output, NODE.name]) for (const s of stringsOf(node, field)) names.add(s);
  }
  const initializers = new Set(messagesOf(graph, GRAPH.initializer).map((t) => stringsOf(t, 8)[0] ?? ''));
  for (const s of initializers) names.add(s);
  for (const field of [GRAPH.input, GRAPH.output, GRAPH.valueInfo])
    for (const v of messagesOf(graph, field)) names.add(stringsOf(v, 1)[0] ?? '');
  const opsets = new Map<string, number>();
  for (const o of messagesOf(model, MODEL.opsetImport)) opsets.set(stringsOf(o, 1)[0] ?? '', varintOf(o, 2) ?? 1);
  return {
    names,
    inputs: messagesOf(graph, GRAPH.input)
      .map(graphValue)
      .filter((v) => !initializers.has(v.name)),
    outputs: messagesOf(graph, GRAPH.output).map(graphValue),
    opsets,
    irVersion: varintOf(model, MODEL.irVersion) ?? 0,
    operators,
  };
}

/** How `prependGraph` joins the front to the model. */
export interface Prepend {
  /** The front: its inputs become the model's, its nodes run first; it must produce `feeds` under that name. */
  front: GraphProto;
  /** The model input the front computes (removed from the graph's inputs). */
  feeds: string;
  /** The opsets of the result: domain → version (replacing the model's list). */
  opsets: ReadonlyMap<string, number>;
  /** The IR version of the result. */
  irVersion: number;
  /** Metadata entries added to the model's. */
  metadata: Readonly<Record<string, string>>;
}

/**
 * The model with `front` in front of its graph: one graph whose inputs are the front's (then the model's other
 * inputs), whose nodes are the front's then the model's, with the model's outputs. Repeated protobuf fields keep
 * their order within a field number, so the front's nodes are written first and the model's follow, unchanged.
 */
export function prependGraph(model: Uint8Array, join: Prepend): Uint8Array {
  const graph = graphOf(model);
  // The front's graph fields as the encoder writes them: nodes, initializers, inputs, value infos (no outputs).
  const frontGraph = graphOf(encodeModel(modelProto({ ...join.front, output: [] })));
  const frontFields = wireFields(frontGraph).filter((f) => f.field !== GRAPH.name);
  const modelFields = wireFields(graph).filter(
    (f) => f.field !== GRAPH.input || graphValue(payloadOf(graph, f)).name !== join.feeds,
  );
  const order = (f: WireField) => (f.field === GRAPH.node ? 0 : 1);
  const parts: Uint8Array[] = [
    ...frontFields.filter((f) => order(f) === 0).map((f) => frontGraph.subarray(f.start, f.end)),
    ...modelFields.filter((f) => order(f) === 0).map((f) => graph.subarray(f.start, f.end)),
    ...frontFields.filter((f) => order(f) === 1).map((f) => frontGraph.subarray(f.start, f.end)),
    ...modelFields.filter((f) => order(f) === 1).map((f) => graph.subarray(f.start, f.end)),
  ];
  const joined = concat(parts);

  const out = new ProtoWriter();
  out.varint(MODEL.irVersion, join.irVersion);
  const head = concat(
    wireFields(model)
      .filter((f) => f.field !== MODEL.irVersion && f.field !== MODEL.graph && f.field !== MODEL.opsetImport)
      .map((f) => model.subarray(f.start, f.end)),
  );
  out.bytes(MODEL.graph, joined);
  for (const [domain, version] of join.opsets) {
    out.message(MODEL.opsetImport, (o) => {
      if (domain) o.string(1, domain);
      o.varint(2, version);
    });
  }
  for (const [key, value] of Object.entries(join.metadata))
    out.message(MODEL.metadataProps, (e) => e.string(1, key).string(2, value));
  return concat([out.finish(), head]);
}

/** The parts joined, as one `Uint8Array` (a Buffer's bytes copied out, so callers get a plain array). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** The text of a `GraphValue`'s shape, e.g. `[batch, 7]`. */
export function shapeText(dims: ReadonlyArray<number | string>): string {
  return `[${dims.join(', ')}]`;
}

/** Dimensions of a front input: a batch of single values (`[batch, 1]`). */
export const COLUMN_SHAPE: readonly Dimension[] = [{ dimParam: 'batch' }, { dimValue: 1 }];

/** The element type names used in messages. */
export const ELEM_NAMES: Readonly<Record<number, string>> = {
  [DataType.FLOAT]: 'float',
  [DataType.STRING]: 'string',
  [DataType.DOUBLE]: 'double',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
};
