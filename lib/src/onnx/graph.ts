/**
 * An ONNX graph builder: unique value names, nodes, initializers and value infos, producing the `GraphProto` and
 * `ModelProto` of `format.ts`. It knows nothing about tfjs layers (the converters in `export/convert/` use it) nor
 * about bytes (`encode.ts` writes them), so graph rewrites such as quantization can build on it alone.
 */
import {
  AttributeType,
  DataType,
  IR_VERSION,
  OPSET,
  type AttributeProto,
  type Dimension,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './format.js';
import { InternalError } from '../core/errors.js';
import { OnnxError } from './errors.js';

/** An attribute value, without its name (see `attr` for constructors). */
export type AttrValue = AttributeProto extends infer A ? (A extends AttributeProto ? Omit<A, 'name'> : never) : never;

/** Constructors of typed attribute values: `attr.ints([1, 1])`, `attr.float(0.2)`. */
export const attr = {
  /** An `INT` attribute. */
  int: (i: number): AttrValue => ({ type: AttributeType.INT, i }),
  /** A `FLOAT` attribute. */
  float: (f: number): AttrValue => ({ type: AttributeType.FLOAT, f }),
  /** A `STRING` attribute. */
  string: (s: string): AttrValue => ({ type: AttributeType.STRING, s }),
  /** An `INTS` attribute. */
  ints: (ints: readonly number[]): AttrValue => ({ type: AttributeType.INTS, ints }),
  /** A `FLOATS` attribute. */
  floats: (floats: readonly number[]): AttrValue => ({ type: AttributeType.FLOATS, floats }),
  /** A `STRINGS` attribute. */
  strings: (strings: readonly string[]): AttrValue => ({ type: AttributeType.STRINGS, strings }),
};

/** Typed arrays an initializer can hold, with their ONNX element types. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;

/** A shape dimension as callers give it: a size, a symbolic name, or `null` for the batch (named `batch`). */
export type ShapeDim = number | string | null;

/** The ONNX element type of a typed array. */
export function dataTypeOf(data: TensorData): DataType {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Float64Array) return DataType.DOUBLE;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int8Array) return DataType.INT8;
  return DataType.UINT8;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The symbolic name given to `null` dimensions. */
export const BATCH_DIM = 'batch';

/** Converts caller dimensions to ONNX ones. */
export function dimensions(shape: readonly ShapeDim[]): Dimension[] {
  return shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d ?? BATCH_DIM }));
}

/** Builds one ONNX graph. Every `add*` method returns the (unique) value name it created. */
export class OnnxGraph {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly valueInfos: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly opTypes = new Set<string>();

  /** @param name the graph's name */
  constructor(readonly name: string) {}

  /** A value name not used yet, made from `hint` (characters outside `[A-Za-z0-9_./:-]` become `_`). */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'value';
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Whether a value or node name is taken. */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Declares a graph input; the exact `name` is required (it is the name users feed). */
  addInput(name: string, elemType: DataType, shape: readonly ShapeDim[]): string {
    if (this.names.has(name)) throw new InternalError(`graph input name ${JSON.stringify(name)} is already used`);
    this.names.add(name);
    this.inputs.push({ name, elemType, shape: dimensions(shape) });
    return name;
  }

  /** Declares an existing value as a graph output. */
  addOutput(name: string, elemType: DataType, shape: readonly ShapeDim[]): void {
    if (!this.names.has(name))
      throw new InternalError(`graph output ${JSON.stringify(name)} is not a value of the graph`);
    this.outputs.push({ name, elemType, shape: dimensions(shape) });
  }

  /** Records the type and shape of an intermediate value (helps tools and shape checks). */
  addValueInfo(name: string, elemType: DataType, shape: readonly ShapeDim[]): void {
    this.valueInfos.push({ name, elemType, shape: dimensions(shape) });
  }

  /** Adds a constant tensor (a weight) and returns its value name. */
  addInitializer(hint: string, data: TensorData, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length)
      throw new InternalError(`initializer ${hint}: ${data.length} values for shape [${dims.join(', ')}]`);
    if (!littleEndian) throw new OnnxError('LEPTON_UNSUPPORTED_HOST', 'ONNX export needs a little-endian host');
    const name = this.uniqueName(hint);
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name, dataType: dataTypeOf(data), dims: [...dims], rawData });
    return name;
  }

  /** Adds a float32 constant. */
  addFloats(hint: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    return this.addInitializer(hint, Float32Array.from(values), dims);
  }

  /** Adds an int64 constant (shapes, axes, indices). */
  addInt64s(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.addInitializer(
      hint,
      BigInt64Array.from(values, (v) => BigInt(v)),
      dims,
    );
  }

  /**
   * Adds a node calling `opType` and returns its output value names.
   * @param inputs value names, in the operator's order (`''` skips an optional input)
   * @param attrs the node's attributes
   * @param options `outputs`: how many outputs (default 1), `hint`: the base of the generated names, `domain`: the
   *   operator's domain (default `''`, the ONNX domain; e.g. `ai.onnx.ml`, which the model must import)
   */
  addNode(
    opType: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    options: { outputs?: number; hint?: string; domain?: string } = {},
  ): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.names.has(input))
        throw new InternalError(`${opType} reads ${JSON.stringify(input)}, which no node made`);
    }
    const hint = options.hint ?? opType;
    const name = this.uniqueName(`${hint}/${opType}`);
    const output = Array.from({ length: options.outputs ?? 1 }, (_, i) => this.uniqueName(`${hint}/${opType}_out${i}`));
    const attribute = Object.entries(attrs).map(([key, value]) => ({ ...value, name: key }));
    this.nodes.push({ input: [...inputs], output, name, opType, domain: options.domain ?? '', attribute });
    this.opTypes.add(opType);
    return output;
  }

  /** Gives `value` the exact name `name` (through an Identity node), e.g. to name a graph output. */
  alias(value: string, name: string): string {
    if (this.names.has(name)) throw new InternalError(`value name ${JSON.stringify(name)} is already used`);
    if (!this.names.has(value)) throw new InternalError(`Identity reads ${JSON.stringify(value)}, which no node made`);
    this.names.add(name);
    this.nodes.push({
      input: [value],
      output: [name],
      name: this.uniqueName(`${name}/Identity`),
      opType: 'Identity',
      domain: '',
      attribute: [],
    });
    this.opTypes.add('Identity');
    return name;
  }

  /** Adds a one-output node and returns the output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    hint?: string,
  ): string {
    return this.addNode(opType, inputs, attrs, hint === undefined ? {} : { hint })[0]!;
  }

  /** The operator types used so far. */
  operatorTypes(): string[] {
    return [...this.opTypes].sort();
  }

  /** The graph as an ONNX message. */
  toProto(): GraphProto {
    return {
      name: this.name,
      node: [...this.nodes],
      initializer: [...this.initializers],
      input: [...this.inputs],
      output: [...this.outputs],
      valueInfo: [...this.valueInfos],
    };
  }
}

/** What a model file says about itself. */
export interface ModelInfo {
  /** The tool that wrote it (default `lepton`). */
  producerName?: string;
  /** Its version. */
  producerVersion?: string;
  /** A description. */
  docString?: string;
  /** Free key/value metadata. */
  metadata?: Record<string, string>;
  /** The opset (default `OPSET`). */
  opset?: number;
}

/** Wraps a graph into a model for the default ONNX domain. */
export function modelProto(graph: GraphProto, info: ModelInfo = {}): ModelProto {
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: info.opset ?? OPSET }],
    producerName: info.producerName ?? 'lepton',
    producerVersion: info.producerVersion ?? '',
    docString: info.docString ?? '',
    graph,
    metadataProps: Object.entries(info.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}
