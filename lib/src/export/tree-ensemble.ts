/**
 * `lepton.export.onnx(gbm)`: a gradient-boosting model as one `ai.onnx.ml` tree-ensemble node — a
 * `TreeEnsembleRegressor` (output `prediction` [batch, 1]) or a `TreeEnsembleClassifier` (output `probabilities`
 * [batch, classes]) — behind one float input `x` [batch, features], so it composes with graphs placed in front of
 * it. Checked in onnxruntime-node against Lepton's own predictions before it is written.
 */
import { seededRandom } from '../core/random.js';
import { tfjs } from '../core/tfjs.js';
import type { GradientBoosting } from '../models/gradient-boosting/model.js';
import type { GradientBoostingJSON } from '../models/gradient-boosting/format.js';
import { version } from '../version.js';
import { attr, dimensions, type AttrValue } from '../onnx/graph.js';
import { OnnxExport, writeExport, type OnnxExportOptions } from './onnx.js';
import { encodeModel } from '../onnx/encode.js';
import { DataType, IR_VERSION, OPSET, type ModelProto, type NodeProto } from '../onnx/format.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';
import { runOnnx } from '../onnx/run.js';
import { compareOutputs, type Verification } from './verify.js';
import { ExportError } from './errors.js';

/** The `ai.onnx.ml` opset of the tree-ensemble operators with `nodes_*` attributes (onnxruntime ≥ 1.x reads 1–3). */
export const ML_OPSET = 3;

type State = NonNullable<GradientBoostingJSON['state']>;

/** The node attributes shared by both tree-ensemble operators: the splits of every tree. */
function nodeAttributes(state: State): {
  attrs: Record<string, AttrValue>;
  leaves: { tree: number; node: number; value: number }[];
} {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const leaves: { tree: number; node: number; value: number }[] = [];
  state.trees.forEach((tree, t) => {
    for (let i = 0; i < tree.feature.length; i++) {
      const leaf = tree.feature[i]! < 0;
      treeIds.push(t);
      nodeIds.push(i);
      featureIds.push(leaf ? 0 : tree.feature[i]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      values.push(leaf ? 0 : tree.threshold[i]!);
      // x ≤ threshold is the true branch, which is Lepton's left child; missing values follow missingLeft.
      trueIds.push(leaf ? 0 : tree.left[i]!);
      falseIds.push(leaf ? 0 : tree.right[i]!);
      missingTrue.push(leaf ? 0 : tree.missingLeft[i]!);
      if (leaf) leaves.push({ tree: t, node: i, value: tree.value[i]! });
    }
  });
  return {
    attrs: {
      nodes_treeids: attr.ints(treeIds),
      nodes_nodeids: attr.ints(nodeIds),
      nodes_featureids: attr.ints(featureIds),
      nodes_modes: attr.strings(modes),
      nodes_values: attr.floats(values),
      nodes_truenodeids: attr.ints(trueIds),
      nodes_falsenodeids: attr.ints(falseIds),
      nodes_missing_value_tracks_true: attr.ints(missingTrue),
    },
    leaves,
  };
}

/** The tree-ensemble node and the graph output spec for a fitted model's state. */
function ensembleNode(state: State): { node: NodeProto; output: TfjsTensorSpec } {
  const { attrs, leaves } = nodeAttributes(state);
  const K = state.base.length;
  if (state.task === 'regression') {
    Object.assign(attrs, {
      n_targets: attr.int(1),
      target_treeids: attr.ints(leaves.map((l) => l.tree)),
      target_nodeids: attr.ints(leaves.map((l) => l.node)),
      target_ids: attr.ints(leaves.map(() => 0)),
      target_weights: attr.floats(leaves.map((l) => l.value)),
      base_values: attr.floats([state.base[0]!]),
      aggregate_function: attr.string('SUM'),
      post_transform: attr.string('NONE'),
    });
    return {
      node: mlNode('TreeEnsembleRegressor', ['prediction'], attrs),
      output: { name: 'prediction', shape: [null, 1], dtype: 'float32' },
    };
  }
  const classes = state.classes!.length;
  // The starting scores go into the first iteration's leaves: onnxruntime's base_values differ in the binary case.
  const weight = (l: { tree: number; value: number }): number => l.value + (l.tree < K ? state.base[l.tree % K]! : 0);
  const classIds = leaves.map((l) => (K === 1 ? 1 : l.tree % K));
  const treeIds = leaves.map((l) => l.tree);
  const nodeIds = leaves.map((l) => l.node);
  const weights = leaves.map(weight);
  if (K === 1) {
    // Binary: scores [0, raw] under a softmax are [1 − p, p] with p = sigmoid(raw). A zero weight for class 0 keeps
    // onnxruntime off its single-class path, whose LOGISTIC output is wrong for class 0 when all weights are positive.
    treeIds.push(leaves[0]!.tree);
    nodeIds.push(leaves[0]!.node);
    classIds.push(0);
    weights.push(0);
  }
  Object.assign(attrs, {
    class_treeids: attr.ints(treeIds),
    class_nodeids: attr.ints(nodeIds),
    class_ids: attr.ints(classIds),
    class_weights: attr.floats(weights),
    classlabels_int64s: attr.ints(Array.from({ length: classes }, (_, c) => c)),
    post_transform: attr.string('SOFTMAX'),
  });
  return {
    node: mlNode('TreeEnsembleClassifier', ['label', 'probabilities'], attrs),
    output: { name: 'probabilities', shape: [null, classes], dtype: 'float32' },
  };
}

function mlNode(opType: string, output: string[], attrs: Record<string, AttrValue>): NodeProto {
  const attribute = Object.entries(attrs).map(([name, value]) => ({ ...value, name }));
  return { input: ['x'], output, name: opType, opType, domain: 'ai.onnx.ml', attribute };
}

/** The ONNX model of a fitted gradient-boosting model. */
export function treeEnsembleModel(
  gbm: GradientBoosting,
  opts: Pick<OnnxExportOptions, 'docString' | 'metadata'> = {},
): { proto: ModelProto; input: TfjsTensorSpec; output: TfjsTensorSpec; operator: string } {
  const state = gbm.toJSON().state;
  if (!state)
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      'export.onnx: the gradient-boosting model is not fitted; call fit first, then export it.',
    );
  const features = state.featureNames.length;
  const { node, output } = ensembleNode(state);
  const input: TfjsTensorSpec = { name: 'x', shape: [null, features], dtype: 'float32' };
  const proto: ModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: 'ai.onnx.ml', version: ML_OPSET },
    ],
    producerName: 'lepton',
    producerVersion: version,
    docString:
      opts.docString ??
      `gradient boosting (${state.task}, ${state.trees.length} trees) exported by Lepton; features: ${state.featureNames.join(', ')}`,
    graph: {
      name: 'gradient_boosting',
      node: [node],
      initializer: [],
      input: [{ name: 'x', elemType: DataType.FLOAT, shape: dimensions([null, features]) }],
      output: [{ name: output.name, elemType: DataType.FLOAT, shape: dimensions(output.shape) }],
      valueInfo: [],
    },
    metadataProps: Object.entries({
      features: JSON.stringify(state.featureNames),
      ...(state.classes ? { classes: JSON.stringify(state.classes) } : {}),
      ...(opts.metadata ?? {}),
    }).map(([key, value]) => ({ key, value })),
  };
  return { proto, input, output, operator: node.opType };
}

/**
 * Rows that exercise every split: each value sits just below or above one of the feature's thresholds, some are
 * missing, so both branches and the missing-value direction of every node are compared.
 */
export function probeRows(gbm: GradientBoosting, rows = 256, seed = 1): Float32Array {
  const state = gbm.toJSON().state!;
  const d = state.featureNames.length;
  const thresholds: number[][] = Array.from({ length: d }, () => []);
  for (const tree of state.trees) tree.feature.forEach((f, i) => f >= 0 && thresholds[f]!.push(tree.threshold[i]!));
  const next = seededRandom(seed);
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < d; f++) {
      const t = thresholds[f]!;
      const u = next();
      if (u < 0.1 || t.length === 0) out[r * d + f] = u < 0.1 ? NaN : next();
      else {
        const at = Math.fround(t[Math.floor(next() * t.length)]!);
        // The threshold itself goes left (≤); the next float32 up goes right.
        out[r * d + f] = next() < 0.5 ? at : nextFloat32(at);
      }
    }
  }
  return out;
}

/** The next float32 above `v`. */
function nextFloat32(v: number): number {
  const buf = new Float32Array([v]);
  const bits = new Int32Array(buf.buffer);
  bits[0]! += v >= 0 ? 1 : -1;
  return v === 0 ? 1e-45 : buf[0]!;
}

/** Lepton's outputs for `x` as the ONNX graph gives them: probabilities, or predictions [rows, 1]. */
function leptonOutputs(gbm: GradientBoosting, x: Float32Array, rows: number, features: number): Float32Array {
  const t = tfjs();
  return t.tidy(() => {
    const input = t.tensor2d(x, [rows, features]);
    if (gbm.toJSON().state!.task === 'classification') return gbm.predictProba(input).dataSync() as Float32Array;
    return Float32Array.from(gbm.rawPredict(input));
  });
}

/** Exports a fitted gradient-boosting model to ONNX (see `lepton.export.onnx`). */
export async function exportTreeEnsemble(
  gbm: GradientBoosting,
  path?: string,
  opts: OnnxExportOptions = {},
): Promise<OnnxExport> {
  const { proto, input, output, operator } = treeEnsembleModel(gbm, opts);
  const data = encodeModel(proto);
  let verification: Verification | undefined;
  if (opts.verify !== false) {
    const tolerance = opts.tolerance ?? 1e-5;
    const features = input.shape[1]!;
    const batch = 256;
    const x = probeRows(gbm, batch);
    const [actual] = await runOnnx(data, [{ name: 'x', shape: [batch, features], data: x }], [output.name]);
    const maxAbsDiff = compareOutputs(
      'ONNX',
      [output.name],
      [leptonOutputs(gbm, x, batch, features)],
      [actual!],
      tolerance,
    );
    verification = { maxAbsDiff, tolerance, batch };
  }
  const { fullPath, metaPath } = writeExport(data, path, opts, {
    inputs: [input],
    outputs: [output],
    source: { framework: 'lepton', name: gbm.name, className: 'GradientBoosting' },
    verification,
  });
  return new OnnxExport({
    path: fullPath,
    metaPath,
    data,
    inputs: [input],
    outputs: [output],
    opset: OPSET,
    operators: [operator],
    verification,
  });
}
