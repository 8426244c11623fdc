/**
 * A TFLite graph under construction: tensors (constants hold their data), operators with their builtin options,
 * the subgraph's inputs and outputs. Converters, the quantizer and the reference evaluator work on this; only
 * `encode.ts` turns it into flatbuffer bytes. Shapes are static with batch 1, and `signature` keeps `-1` where the
 * tfjs model had `null` (TFLite's `shape_signature`), so an interpreter can resize the batch.
 */
import { BuiltinOperator } from './generated/schema/tflite/builtin-operator.js';
import { BuiltinOptions } from './generated/schema/tflite/builtin-options.js';
import { InternalError } from '../../core/errors.js';

/** Element types Lepton writes. */
export type TfliteDType = 'float32' | 'float16' | 'int32' | 'int8' | 'int64';

/** Linear quantization of a tensor: `real = scale · (q − zeroPoint)`, per tensor or per channel of `axis`. */
export interface TensorQuantization {
  /** One scale per channel (one value when per-tensor). */
  scale: number[];
  /** One zero point per channel. */
  zeroPoint: number[];
  /** The channel axis (`quantized_dimension`); 0 when per-tensor. */
  axis: number;
}

/** Constant data a tensor can carry. */
export type TensorValues = Float32Array | Uint16Array | Int32Array | Int8Array | BigInt64Array;

/** One tensor of the graph. */
export interface TfliteTensor {
  /** Its index in the subgraph. */
  readonly index: number;
  /** A readable name (unique in the graph). */
  name: string;
  /** The static shape (the batch is 1). */
  shape: number[];
  /** The shape with `-1` for sizes the model leaves free (the batch). */
  signature: number[];
  /** The element type. */
  dtype: TfliteDType;
  /** The values of a constant, row-major. */
  data?: TensorValues;
  /** Quantization parameters, for int8 and int32 bias tensors. */
  quantization?: TensorQuantization;
}

/** A builtin options table as the generated object API gives it (`Conv2DOptionsT`, …). */
export interface OptionsTable {
  /** Packs the table into a flatbuffer builder (generated `pack`). */
  pack(builder: unknown): number;
}

/** One operator: a builtin op code, tensor indices (`-1` skips an optional input), its options. */
export interface TfliteOp {
  /** The builtin operator. */
  code: BuiltinOperator;
  /** Input tensor indices. */
  inputs: number[];
  /** Output tensor indices. */
  outputs: number[];
  /** Which options table `options` is. */
  optionsType: BuiltinOptions;
  /** The options table, or null for ops without options. */
  options: OptionsTable | null;
}

/** What an op call gives: an options table and its union tag. */
export interface OpOptions {
  /** The union tag. */
  type: BuiltinOptions;
  /** The table. */
  table: OptionsTable;
}

/** Builds one TFLite subgraph. */
export class TfliteGraph {
  /** All tensors, by index. */
  readonly tensors: TfliteTensor[] = [];
  /** All operators, in execution order (every op's inputs are made before it). */
  readonly ops: TfliteOp[] = [];
  /** Indices of the subgraph's inputs. */
  readonly inputs: number[] = [];
  /** Indices of the subgraph's outputs. */
  readonly outputs: number[] = [];
  private readonly names = new Set<string>();

  /** @param name the model's name */
  constructor(readonly name: string) {}

  /** A tensor name not used yet, made from `hint`. */
  uniqueName(hint: string): string {
    const base = hint || 'tensor';
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Adds a tensor; `shape` may hold `null` for free sizes (stored as 1, signature -1). */
  addTensor(hint: string, shape: readonly (number | null)[], dtype: TfliteDType, data?: TensorValues): number {
    const index = this.tensors.length;
    const tensor: TfliteTensor = {
      index,
      name: this.uniqueName(hint),
      shape: shape.map((d) => d ?? 1),
      signature: shape.map((d) => d ?? -1),
      dtype,
    };
    if (data) {
      const count = tensor.shape.reduce((a, b) => a * b, 1);
      if (count !== data.length)
        throw new InternalError(`constant ${hint}: ${data.length} values for shape [${shape.join(', ')}]`);
      tensor.data = data;
    }
    this.tensors.push(tensor);
    return index;
  }

  /** Declares a subgraph input. */
  addInput(name: string, shape: readonly (number | null)[], dtype: TfliteDType): number {
    if (this.names.has(name)) throw new InternalError(`input name ${JSON.stringify(name)} is already used`);
    const index = this.addTensor(name, shape, dtype);
    this.inputs.push(index);
    return index;
  }

  /** Declares a tensor as a subgraph output. */
  addOutput(index: number): void {
    this.outputs.push(index);
  }

  /** Adds a float32 constant. */
  floats(hint: string, values: ArrayLike<number>, shape: readonly number[] = [values.length]): number {
    return this.addTensor(hint, shape, 'float32', Float32Array.from(values));
  }

  /** Adds an int32 constant (shapes, axes, indices). */
  ints(hint: string, values: readonly number[], shape: readonly number[] = [values.length]): number {
    return this.addTensor(hint, shape, 'int32', Int32Array.from(values));
  }

  /** Appends an operator reading `inputs` and writing the existing tensors `outputs`. */
  addOp(code: BuiltinOperator, inputs: readonly number[], outputs: readonly number[], options?: OpOptions): void {
    for (const i of inputs) {
      if (i >= this.tensors.length)
        throw new InternalError(`${BuiltinOperator[code]} reads tensor ${i}, which does not exist`);
    }
    this.ops.push({
      code,
      inputs: [...inputs],
      outputs: [...outputs],
      optionsType: options?.type ?? BuiltinOptions.NONE,
      options: options?.table ?? null,
    });
  }

  /**
   * Appends a one-output operator and returns the new output tensor.
   * @param code the builtin operator
   * @param inputs input tensor indices
   * @param shape the output's shape (`null` for the batch)
   * @param hint the base of the output's name
   * @param options the builtin options, if the op has any
   * @param dtype the output's type (default float32)
   */
  op(
    code: BuiltinOperator,
    inputs: readonly number[],
    shape: readonly (number | null)[],
    hint: string,
    options?: OpOptions,
    dtype: TfliteDType = 'float32',
  ): number {
    const out = this.addTensor(`${hint}/${BuiltinOperator[code]}`, shape, dtype);
    this.addOp(code, inputs, [out], options);
    return out;
  }

  /** Appends an operator with several outputs of the given shapes; returns their indices. */
  opMany(
    code: BuiltinOperator,
    inputs: readonly number[],
    shapes: readonly (readonly (number | null)[])[],
    hint: string,
    options?: OpOptions,
  ): number[] {
    const outs = shapes.map((shape, k) => this.addTensor(`${hint}/${BuiltinOperator[code]}_${k}`, shape, 'float32'));
    this.addOp(code, inputs, outs, options);
    return outs;
  }

  /** The tensor at `index`. */
  tensor(index: number): TfliteTensor {
    const t = this.tensors[index];
    if (!t) throw new InternalError(`tensor ${index} does not exist`);
    return t;
  }

  /** The ops reading each tensor (by index), for rewrites. */
  consumers(): Map<number, TfliteOp[]> {
    const map = new Map<number, TfliteOp[]>();
    for (const op of this.ops) {
      for (const i of op.inputs) if (i >= 0) map.set(i, [...(map.get(i) ?? []), op]);
    }
    return map;
  }

  /** The op writing each tensor (by index). */
  producers(): Map<number, TfliteOp> {
    const map = new Map<number, TfliteOp>();
    for (const op of this.ops) for (const o of op.outputs) map.set(o, op);
    return map;
  }

  /** The builtin operator names used, sorted. */
  operatorNames(): string[] {
    return [...new Set(this.ops.map((op) => BuiltinOperator[op.code]))].sort();
  }
}
