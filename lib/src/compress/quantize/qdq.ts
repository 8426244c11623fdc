/**
 * The QDQ rewrite of an fp32 ONNX graph: weights of Conv, Gemm and MatMul become int8 (or uint8) initializers read
 * through DequantizeLinear; in static mode activations pass through QuantizeLinear→DequantizeLinear pairs with
 * calibrated uint8 parameters and biases become int32 (scale = input scale × weight scale), which is the form
 * onnxruntime fuses into QLinearConv / QGemm / QLinearMatMul.
 *
 * The tensors it adds have short names, because on a small model long ones are a large part of the file (a fifth of
 * the int8 reference CNN): `a{k}.q`, `a{k}.dq`, `a{k}.scale`, `a{k}.zp` for the k-th entry of
 * `quantizedActivations`, and `w{k}.*` / `b{k}.*` for the weight and bias of the k-th entry of `quantizedNodes`.
 */
import { attr } from '../../onnx/graph.js';
import { AttributeType, DataType, type GraphProto, type NodeProto, type TensorProto } from '../../onnx/format.js';
import { biasColumn, biasColumnPays, type BiasColumn } from './bias-column.js';
import { correctedBias } from '../../onnx/bias-correction.js';
import {
  activationParams,
  dequantizeWeight,
  quantizeWeight,
  roundHalfEven,
  type ActivationParams,
  type QuantizedWeight,
  type Range,
  type WeightType,
} from '../../onnx/quant-math.js';
import { count, floatsOf, nameAllocator, tensor } from '../tensors.js';
import { CompressError } from '../errors.js';

/** How to rewrite a graph. */
export interface QdqPlan {
  /** `static`: weights and activations; `dynamic`: weights only. */
  mode: 'static' | 'dynamic';
  /** Element type of quantized weights. */
  weightType: WeightType;
  /** One scale per output channel (true) or per tensor. */
  perChannel: boolean;
  /** The largest int8 weight magnitude: 127, or 63 where the integer kernels sum pairs in int16 (`cpu.ts`). */
  weightLevels: number;
  /** Calibrated ranges of activation tensors (static mode). */
  ranges: ReadonlyMap<string, Range>;
  /** Ranks of intermediate values (to turn rank-2 MatMul + bias Add into Gemm). */
  ranks: ReadonlyMap<string, number>;
  /** The model's default-domain opset (a bias column needs Pad's constant-value input, opset 11). */
  opset: number;
  /** Whether wide Gemms may carry their bias in constant input columns (`bias-column.ts`). */
  biasColumns: boolean;
  /**
   * The calibration data's mean of weight-layer inputs (per `weightInputAxes`): the biases of those layers get the
   * weights' rounding shift taken out (`onnx/bias-correction.ts`). Empty: no correction.
   */
  inputMeans: ReadonlyMap<string, Float32Array>;
}

/** What the rewrite did. */
export interface QdqResult {
  /** The rewritten graph. */
  graph: GraphProto;
  /** Names of the nodes whose weights were quantized. */
  quantizedNodes: string[];
  /** Names of the activation tensors given QuantizeLinear→DequantizeLinear. */
  quantizedActivations: string[];
  /** Names of the Gemm nodes whose bias moved into constant columns of their input (`bias-column.ts`). */
  biasColumns: string[];
  /** Names of the nodes whose bias was corrected for the weights' rounding (`onnx/bias-correction.ts`). */
  biasCorrected: string[];
}

/** Ops whose float activations are worth quantizing (onnxruntime has int8 kernels or drops the QDQ around them). */
const ACTIVATION_OPS = new Set([
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Relu',
  'Clip',
  'Transpose',
  'Reshape',
  'Flatten',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Squeeze',
  'Unsqueeze',
  'Concat',
]);
/** Ops whose output keeps its input's quantization (so onnxruntime can run them on uint8 and drop the pair). */
const SAME_PARAMS_OPS = new Set(['Transpose', 'Reshape', 'Flatten', 'MaxPool', 'Squeeze', 'Unsqueeze', 'Identity']);
/** Ops with a quantizable weight, and the channel axis of that weight. */
const WEIGHT_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a && a.type === AttributeType.INT ? a.i : fallback;
}

function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a && a.type === AttributeType.FLOAT ? a.f : fallback;
}

/** A Gemm without transposes or scaling (transA, transB, alpha and beta absent or at their defaults). */
export function plainGemm(n: NodeProto): boolean {
  return (
    n.opType === 'Gemm' &&
    intAttr(n, 'transA', 0) === 0 &&
    intAttr(n, 'transB', 0) === 0 &&
    floatAttr(n, 'alpha', 1) === 1 &&
    floatAttr(n, 'beta', 1) === 1
  );
}

/**
 * The inputs of weight layers and the axis along which their mean is needed for bias correction: a Conv's channels
 * (axis 1 of NCHW), the features of a Gemm or MatMul (the last axis). Gemms reading a transposed input are left out.
 */
export function weightInputAxes(graph: GraphProto): Map<string, number> {
  const axes = new Map<string, number>();
  for (const n of graph.node) {
    if (n.opType === 'Conv') axes.set(n.input[0]!, 1);
    else if (n.opType === 'MatMul' || (n.opType === 'Gemm' && intAttr(n, 'transA', 0) === 0)) axes.set(n.input[0]!, -1);
  }
  return axes;
}

/** Rank-2 MatMul (weight initializer) followed by its only consumer, a bias Add, becomes one Gemm: the same function. */
export function fuseMatMulAdd(graph: GraphProto, ranks: ReadonlyMap<string, number>): GraphProto {
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const consumers = consumerMap(graph);
  const outputs = new Set(graph.output.map((o) => o.name));
  const removed = new Set<NodeProto>();
  const replaced = new Map<NodeProto, NodeProto>();
  for (const n of graph.node) {
    if (n.opType !== 'MatMul') continue;
    const w = inits.get(n.input[1]!);
    if (!w || w.dims.length !== 2 || ranks.get(n.input[0]!) !== 2 || outputs.has(n.output[0]!)) continue;
    const users = consumers.get(n.output[0]!) ?? [];
    const add = users[0];
    if (users.length !== 1 || add!.opType !== 'Add') continue;
    const biasName = add!.input[0] === n.output[0] ? add!.input[1]! : add!.input[0]!;
    const bias = inits.get(biasName);
    if (!bias || bias.dims.length !== 1 || bias.dims[0] !== w.dims[1]) continue;
    replaced.set(n, {
      ...n,
      opType: 'Gemm',
      input: [n.input[0]!, n.input[1]!, biasName],
      output: [add!.output[0]!],
      attribute: [],
    });
    removed.add(add!);
  }
  if (replaced.size === 0) return graph;
  return { ...graph, node: graph.node.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n) };
}

/** The nodes reading each value of `graph`. */
export function consumerMap(graph: GraphProto): Map<string, NodeProto[]> {
  const map = new Map<string, NodeProto[]>();
  for (const n of graph.node) for (const v of n.input) if (v !== '') map.set(v, [...(map.get(v) ?? []), n]);
  return map;
}

/**
 * The activation tensors static quantization gives a QuantizeLinear→DequantizeLinear pair: float graph inputs and
 * node outputs read by an op of `ACTIVATION_OPS`, except graph outputs and the outputs of Conv/Gemm/MatMul read
 * only by a ReLU (the pair goes after the ReLU, which onnxruntime then folds into the integer op).
 */
export function activationCandidates(graph: GraphProto): string[] {
  const consumers = consumerMap(graph);
  const outputs = new Set(graph.output.map((o) => o.name));
  const producers = new Map<string, NodeProto>();
  for (const n of graph.node) for (const v of n.output) producers.set(v, n);
  const floatInputs = graph.input.filter((i) => i.elemType === DataType.FLOAT).map((i) => i.name);
  const values = [...floatInputs, ...graph.node.flatMap((n) => n.output)];
  return values.filter((v) => {
    if (outputs.has(v)) return false;
    const users = consumers.get(v) ?? [];
    if (!users.some((u) => ACTIVATION_OPS.has(u.opType))) return false;
    const producer = producers.get(v);
    if (producer && !ACTIVATION_OPS.has(producer.opType) && producer.opType !== 'Identity') return false;
    if (producer && WEIGHT_OPS.has(producer.opType) && users.every((u) => u.opType === 'Relu')) return false;
    return true;
  });
}

/** Rewrites `graph` per `plan`. */
export function quantizeGraph(source: GraphProto, plan: QdqPlan): QdqResult {
  const graph = fuseMatMulAdd(source, plan.ranks);
  const fresh = nameAllocator(graph);
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const consumers = consumerMap(graph);
  const newInits: TensorProto[] = [];
  const dropped = new Set<string>();
  const nodes: NodeProto[] = [];
  const rename = new Map<string, string>();
  /** Each quantized activation's parameters and the initializers holding them (shared by values that inherit them). */
  const params = new Map<string, ActivationParams & { scaleName: string; zeroName: string }>();
  const quantizedNodes: string[] = [];
  const quantizedActivations: string[] = [];
  const biasColumns: string[] = [];
  const biasCorrected: string[] = [];
  const candidates = new Set(plan.mode === 'static' ? activationCandidates(graph) : []);

  const node = (opType: string, input: string[], output: string[], attribute: NodeProto['attribute'] = []): void => {
    // Inserted nodes go unnamed (ONNX node names are optional and their outputs identify them): on a model as small as
    // the reference CNN, names were a fifth of the int8 file.
    nodes.push({ opType, input, output, name: '', domain: '', attribute });
  };

  const quantizeActivation = (value: string, producer: NodeProto | undefined): void => {
    if (!candidates.has(value)) return;
    const inherited = producer && SAME_PARAMS_OPS.has(producer.opType) ? params.get(producer.input[0]!) : undefined;
    const range = plan.ranges.get(value);
    if (!inherited && !range) return;
    const id = `a${quantizedActivations.length}`;
    let p = inherited;
    if (!p) {
      // The ONNX layer's arithmetic refuses a non-finite range with its own OnnxError; compress.quantize has always
      // reported it as a bad input of its own, so callers matching CompressError keep working.
      if (!Number.isFinite(range!.min) || !Number.isFinite(range!.max)) {
        throw new CompressError(
          'LEPTON_COMPRESS_BAD_INPUT',
          `activation range [${range!.min}, ${range!.max}] is not finite: check the calibration data, and the model's outputs on it, for NaN or Infinity`,
        );
      }
      const { scale, zeroPoint } = activationParams(range!.min, range!.max);
      p = { scale, zeroPoint, scaleName: fresh(`${id}.scale`), zeroName: fresh(`${id}.zp`) };
      newInits.push(tensor(p.scaleName, Float32Array.of(scale), []), tensor(p.zeroName, Uint8Array.of(zeroPoint), []));
    }
    params.set(value, p);
    const [scale, zero] = [p.scaleName, p.zeroName];
    const q = fresh(`${id}.q`);
    const dq = fresh(`${id}.dq`);
    node('QuantizeLinear', [value, scale, zero], [q]);
    node('DequantizeLinear', [q, scale, zero], [dq]);
    rename.set(value, dq);
    quantizedActivations.push(value);
  };

  /** The weight input `index` of `n` quantized per `plan`. */
  const weightOf = (n: NodeProto, index: number, axis: number): QuantizedWeight => {
    const w = inits.get(n.input[index]!)!;
    return quantizeWeight(floatsOf(w), w.dims, plan.perChannel ? axis : undefined, plan.weightType, plan.weightLevels);
  };

  /** Stores `q` (shape `dims`) as the weight of `n`, read through a DequantizeLinear; returns that node's output. */
  const emitWeight = (n: NodeProto, index: number, q: QuantizedWeight, dims: readonly number[]): string => {
    const perChannel = q.axis !== undefined;
    const id = `w${quantizedNodes.length}`;
    const values = fresh(`${id}.q`);
    const scale = fresh(`${id}.scale`);
    // The zero point stays even for symmetric int8 (where it is DequantizeLinear's default): onnxruntime fuses
    // DequantizeLinear→Gemm into QGemm only when it is given.
    const zero = fresh(`${id}.zp`);
    const scaleDims = perChannel ? [q.scales.length] : [];
    newInits.push(
      tensor(values, q.values, dims),
      tensor(scale, q.scales, scaleDims),
      tensor(zero, q.zeroPoints, scaleDims),
    );
    const out = fresh(`${id}.dq`);
    node('DequantizeLinear', [values, scale, zero], [out], perChannel ? [{ name: 'axis', ...attr.int(q.axis!) }] : []);
    dropped.add(n.input[index]!);
    return out;
  };

  /**
   * The bias columns for Gemm `n` (weight `w`, bias values `bias`, quantized weight `q`, input parameters `p`) when
   * they pay and fit, else null: plain Gemm (no transposes or scaling), int8 weights [K, N], a rank-2 input.
   */
  const columnFor = (
    n: NodeProto,
    w: TensorProto,
    bias: Float32Array,
    q: QuantizedWeight,
    p: ActivationParams,
  ): BiasColumn | null => {
    if (
      !plan.biasColumns ||
      !plainGemm(n) ||
      plan.opset < 11 ||
      plan.weightType !== 'int8' ||
      w.dims.length !== 2 ||
      plan.ranks.get(n.input[0]!) !== 2
    )
      return null;
    const [k, outputs] = [w.dims[0]!, w.dims[1]!];
    // A one-value bias (Gemm broadcasts it) is left as it is.
    if (bias.length !== outputs || !biasColumnPays({ k, n: outputs })) return null;
    return biasColumn({
      k,
      n: outputs,
      bias,
      inputScale: p.scale,
      inputZeroPoint: p.zeroPoint,
      weightScales: q.scales,
      levels: plan.weightLevels,
    });
  };

  /** The dequantized input `dq` with the constant columns appended: QuantizeLinear's output → Pad → DequantizeLinear. */
  const withColumns = (dq: string, column: BiasColumn): string => {
    const [q, scale, zero] = nodes.find((x) => x.opType === 'DequantizeLinear' && x.output[0] === dq)!.input as [
      string,
      string,
      string,
    ];
    const id = `b${quantizedNodes.length}`;
    const pads = fresh(`${id}.pads`);
    const value = fresh(`${id}.column`);
    newInits.push(
      tensor(pads, BigInt64Array.of(0n, 0n, 0n, BigInt(column.columns)), [4]),
      tensor(value, Uint8Array.of(column.constant), []),
    );
    const padded = fresh(`${id}.padded`);
    node('Pad', [q, pads, value], [padded]);
    const out = fresh(`${id}.padded.dq`);
    node('DequantizeLinear', [padded, scale, zero], [out]);
    return out;
  };

  /**
   * Bias `b` (values `data`) as int32 with scale = input scale × weight scale (static mode), the layout onnxruntime's
   * QDQ fusions expect.
   */
  const quantizeBias = (b: TensorProto, data: Float32Array, inputScale: number, weightScales: Float32Array): string => {
    const scales = Float32Array.from(data, (_, i) => inputScale * weightScales[weightScales.length === 1 ? 0 : i]!);
    const values = Int32Array.from(data, (x, i) => roundHalfEven(x / scales[i]!));
    const perChannel = weightScales.length > 1;
    const id = `b${quantizedNodes.length}`;
    const vName = fresh(`${id}.q`);
    const sName = fresh(`${id}.scale`);
    // No zero point: an int32 bias's is 0 by definition, DequantizeLinear's default.
    newInits.push(
      tensor(vName, values, b.dims),
      tensor(sName, perChannel ? scales : Float32Array.of(scales[0]!), perChannel ? b.dims : []),
    );
    const out = fresh(`${id}.dq`);
    node('DequantizeLinear', [vName, sName], [out], perChannel ? [{ name: 'axis', ...attr.int(0) }] : []);
    dropped.add(b.name);
    return out;
  };

  /** Float bias `b` replaced by `data` (its corrected values, where the bias stays float). */
  const replaceBias = (b: TensorProto, data: Float32Array): string => {
    const name = fresh(`b${quantizedNodes.length}.corrected`);
    newInits.push(tensor(name, data, b.dims));
    dropped.add(b.name);
    return name;
  };

  /** The values of bias `b` of `n`, corrected for the rounding of its weight `w` (quantized as `q`) when its input's mean is known. */
  const biasValues = (
    n: NodeProto,
    w: TensorProto,
    q: QuantizedWeight,
    b: TensorProto,
  ): { data: Float32Array; corrected: boolean } => {
    const data = floatsOf(b);
    const mean = plan.inputMeans.get(n.input[0]!);
    if (!mean) return { data, corrected: false };
    const layout =
      n.opType === 'Conv'
        ? { kind: 'conv' as const, groups: intAttr(n, 'group', 1) }
        : { kind: 'gemm' as const, transB: intAttr(n, 'transB', 0) === 1 };
    // A scaled Gemm (alpha, beta) would need the shift scaled too: left as it is.
    const unscaled = n.opType !== 'Gemm' || (floatAttr(n, 'alpha', 1) === 1 && floatAttr(n, 'beta', 1) === 1);
    const corrected = unscaled
      ? correctedBias(
          { weight: floatsOf(w), dequantized: dequantizeWeight(q, w.dims), dims: w.dims, bias: data, layout },
          mean,
        )
      : null;
    return corrected ? { data: corrected, corrected: true } : { data, corrected: false };
  };

  for (const value of graph.input) quantizeActivation(value.name, undefined);
  for (const n of graph.node) {
    const input = n.input.map((v) => rename.get(v) ?? v);
    const weightIndex = 1;
    const w = inits.get(n.input[weightIndex] ?? '');
    const sharedWeight = w !== undefined && (consumers.get(w.name)?.length ?? 0) > 1;
    if (WEIGHT_OPS.has(n.opType) && w && w.dataType === DataType.FLOAT && !sharedWeight && count(w.dims) > 1) {
      const axis =
        n.opType === 'Conv' ? 0 : n.opType === 'Gemm' && intAttr(n, 'transB', 0) === 1 ? 0 : w.dims.length - 1;
      const q = weightOf(n, weightIndex, axis);
      const inputParams = params.get(n.input[0]!);
      const b = inits.get(n.input[2] ?? '');
      const biasAlone =
        b !== undefined &&
        b.dataType === DataType.FLOAT &&
        (consumers.get(b.name)?.length ?? 0) === 1 &&
        b.dims.length === 1;
      const bias = biasAlone && n.opType !== 'MatMul' ? biasValues(n, w, q, b) : undefined;
      if (bias?.corrected) biasCorrected.push(n.name);
      const quantizedBias = plan.mode === 'static' && inputParams && bias ? b : undefined;
      const column = quantizedBias && inputParams ? columnFor(n, w, bias!.data, q, inputParams) : null;
      if (column) {
        if (column.columns > 0) input[0] = withColumns(input[0]!, column);
        const values = new Int8Array(q.values.length + column.rows.length);
        values.set(q.values);
        values.set(column.rows, q.values.length);
        input[weightIndex] = emitWeight(n, weightIndex, { ...q, values }, [w.dims[0]! + column.columns, w.dims[1]!]);
        input.length = 2;
        dropped.add(quantizedBias!.name);
        biasColumns.push(n.name);
      } else {
        input[weightIndex] = emitWeight(n, weightIndex, q, w.dims);
        if (quantizedBias && inputParams)
          input[2] = quantizeBias(quantizedBias, bias!.data, inputParams.scale, q.scales);
        else if (bias?.corrected) input[2] = replaceBias(b!, bias.data);
      }
      quantizedNodes.push(n.name);
    }
    nodes.push({ ...n, input });
    for (const out of n.output) quantizeActivation(out, n);
  }
  const initializer = [...graph.initializer.filter((t) => !dropped.has(t.name)), ...newInits];
  // A DequantizeLinear left without readers (an input whose only reader now reads its padded copy) would still run.
  const read = new Set([...nodes.flatMap((x) => x.input), ...graph.output.map((o) => o.name)]);
  const kept = nodes.filter((x) => x.opType !== 'DequantizeLinear' || read.has(x.output[0]!));
  // Graph outputs keep their own (float) names: only consumers were renamed.
  return {
    graph: { ...graph, node: kept, initializer },
    quantizedNodes,
    quantizedActivations,
    biasColumns,
    biasCorrected,
  };
}
