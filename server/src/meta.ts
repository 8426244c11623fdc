/**
 * The registry's on-disk format (`meta.json` beside `model.onnx`), typed apart from the API: what a deployment
 * version serves, how it batches, what it alerts on, and where it came from.
 */
import { errors } from './errors.js';
import { isModelName } from './names.js';
import type { RawInputSpec } from './preprocess/raw.js';
import type { Datatype, TensorSpec } from './wire/tensor-spec.js';

export { DATATYPES, type Datatype, type TensorSpec } from './wire/tensor-spec.js';

/** Alert rules, checked over the last minute of traffic; any omitted rule is off. */
export interface AlertRules {
  /** Raise when the p99 latency exceeds this many milliseconds. */
  p99Ms?: number;
  /** Raise when the p95 latency exceeds this many milliseconds. */
  p95Ms?: number;
  /** Raise when the share of failed requests exceeds this fraction (0..1). */
  errorRate?: number;
  /** Least requests in the window before a rule is judged (default 20). */
  minRequests?: number;
}

/** Dynamic batching of concurrent requests. */
export interface BatchingOptions {
  /** Most rows in one model run (1 turns batching off). */
  maxBatch: number;
  /** Longest a request waits for others to share its run, in milliseconds. */
  maxDelayMs: number;
  /** Most requests waiting for a run; a request beyond it is answered 503 `LEPTON_OVERLOADED` with `Retry-After`. */
  maxQueue: number;
  /** The deadline: a request still queued this many milliseconds after it arrived is dropped with a 503. */
  timeoutMs: number;
}

/**
 * The default batching: up to 32 rows, batching only what queues while the model is busy; at most 256 requests
 * queued, each dropped after 10 s in the queue.
 */
export const DEFAULT_BATCHING: BatchingOptions = { maxBatch: 32, maxDelayMs: 0, maxQueue: 256, timeoutMs: 10_000 };

/** `meta.json`: one deployed version. */
export interface ModelMeta {
  /** The format version (1). */
  format: 1;
  /** The deployment's name. */
  name: string;
  /** The version: "1", "2", … */
  version: string;
  /** The model's inputs: names, datatypes and shapes (`-1` for a free size). */
  inputs: TensorSpec[];
  /** The model's outputs. */
  outputs: TensorSpec[];
  /**
   * Preprocessing transforms as JSON (`lepton.preprocess` `toJSON()` output), applied in order to the records of
   * requests with `parameters.lepton_preprocess` (see `preprocess/records.ts`); [] for none.
   */
  transforms: unknown[];
  /** The model input's columns after the transforms, in order (absent: the columns the transforms produce, in order). */
  features?: string[];
  /**
   * The raw input the server preprocesses for requests with `parameters.lepton_preprocess` (e.g. `{ kind: "image",
   * size, channels, fit }`: base64 image files decoded and resized as in training); see `preprocess/raw.ts`.
   */
  rawInput?: RawInputSpec;
  /** The names of the classifier's classes in output order: every answer gets a BYTES `label` output (`preprocess/labels.ts`). */
  classes?: string[];
  /**
   * How records with a feature still missing after the transforms are fed: `nan` for a model that routes missing
   * values itself (gradient-boosted trees with learned default directions: ONNX TreeEnsemble's NaN tracking);
   * absent or `refuse`: such a record is refused, naming the field.
   */
  missingValues?: MissingValues;
  /** Training and evaluation metrics, as given at deploy time. */
  metrics: Record<string, number>;
  /** Free text shown in status. */
  description: string;
  /** Alert thresholds ({} for none). */
  alerts: AlertRules;
  /** Dynamic batching settings of this version. */
  batching: BatchingOptions;
  /** SHA-256 of `model.onnx`, hex. */
  sha256: string;
  /** Size of `model.onnx` in bytes. */
  bytes: number;
  /** ISO 8601 time the version was written. */
  createdAt: string;
}

/** What a record's missing feature becomes: refused, or NaN for a model that handles missing values (see `ModelMeta.missingValues`). */
export type MissingValues = 'refuse' | 'nan';

/** What a deploy request may say about a model; everything is optional (inputs and outputs are read from the model). */
export interface DeployMeta {
  /** Names, datatypes and shapes of the inputs, when they should differ from the model's (e.g. a named batch size). */
  inputs?: TensorSpec[];
  /** The same for the outputs. */
  outputs?: TensorSpec[];
  /** Preprocessing transforms as JSON (`lepton.preprocess` `toJSON()` output); see {@link ModelMeta.transforms}. */
  transforms?: unknown[];
  /** The model input's columns after the transforms, in order; see {@link ModelMeta.features}. */
  features?: string[];
  /** The raw input the server preprocesses (e.g. images); see {@link ModelMeta.rawInput}. */
  rawInput?: RawInputSpec;
  /** The classifier's class names, in output order; see {@link ModelMeta.classes}. */
  classes?: string[];
  /** How a record with a missing feature is fed; see {@link ModelMeta.missingValues}. */
  missingValues?: MissingValues;
  /** Training and evaluation metrics to keep with the version. */
  metrics?: Record<string, number>;
  /** Free text shown in status. */
  description?: string;
  /** Alert thresholds on latency and error rate. */
  alerts?: AlertRules;
  /** Dynamic batching settings; unset ones take {@link DEFAULT_BATCHING}'s. */
  batching?: Partial<BatchingOptions>;
}

/** Throws `LEPTON_BAD_NAME` unless `name` is usable as a model name (and a folder name). */
export function assertModelName(name: string): void {
  if (!isModelName(name)) throw errors.badName(name);
}

/** The OIP datatype of an onnxruntime tensor type, or undefined when the server does not serve it. */
export function datatypeOf(ortType: string): Datatype | undefined {
  return ORT_TO_OIP[ortType];
}

const ORT_TO_OIP: Record<string, Datatype> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

/** onnxruntime's value metadata, as `InferenceSession.inputMetadata` gives it. */
export interface OrtValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

/** Tensor specs from onnxruntime metadata; symbolic dimensions become -1. Throws `LEPTON_BAD_MODEL` on non-tensors. */
export function specsFromOrt(values: readonly OrtValueMetadata[]): TensorSpec[] {
  return values.map((value) => {
    const datatype = value.isTensor && value.type ? datatypeOf(value.type) : undefined;
    if (!datatype) {
      // onnxruntime-node has no bfloat16 tensors: such a model cannot be fed from JavaScript at all.
      const why =
        value.type === 'bfloat16'
          ? ' (onnxruntime-node has no bfloat16 tensors: export the model with float16 or float32 inputs and outputs)'
          : '';
      throw errors.badModel(
        `"${value.name}" is a ${value.isTensor ? `${value.type} tensor` : 'non-tensor value'}, which the server does not serve${why}.`,
      );
    }
    return {
      name: value.name,
      datatype,
      shape: (value.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
    };
  });
}

/**
 * Checks `given` specs against the model's own: same names, datatypes and ranks, and fixed dimensions that agree.
 * Returns the model's specs (the ones served). Throws `LEPTON_BAD_META` naming the first disagreement.
 */
export function reconcileSpecs(
  kind: 'inputs' | 'outputs',
  model: TensorSpec[],
  given: TensorSpec[] | undefined,
): TensorSpec[] {
  if (!given) return model;
  if (!Array.isArray(given)) throw errors.badMeta(`${kind} must be an array.`);
  // Deploy JSON: an element may be null or lack its shape although the type says otherwise; the `?.` below keep
  // such input a LEPTON_BAD_META answer instead of a TypeError.
  for (const spec of given) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    const actual = model.find((m) => m.name === spec?.name);
    if (!actual)
      throw errors.badMeta(
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
        `${kind}: the model has no "${spec?.name}" (it has ${model.map((m) => m.name).join(', ')}).`,
      );
    if (spec.datatype !== actual.datatype)
      throw errors.badMeta(`${kind}: "${spec.name}" is ${actual.datatype} in the model, not ${spec.datatype}.`);
    if (
      !Array.isArray(spec.shape) ||
      spec.shape.length !== actual.shape.length ||
      spec.shape.some((d, i) => actual.shape[i] !== -1 && d !== -1 && d !== actual.shape[i])
    ) {
      throw errors.badMeta(
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
        `${kind}: "${spec.name}" has shape [${actual.shape.join(', ')}] in the model, not [${spec.shape?.join(', ')}].`,
      );
    }
  }
  return model.map((m) => {
    const spec = given.find((g) => g.name === m.name);
    // A given shape may pin a dimension the model leaves open.
    return spec ? { ...m, shape: m.shape.map((d, i) => (d === -1 ? (spec.shape[i] ?? -1) : d)) } : m;
  });
}

/** Normalised batching options; throws `LEPTON_BAD_META` on out-of-range values. */
export function batchingFrom(given: Partial<BatchingOptions> | undefined): BatchingOptions {
  const out = { ...DEFAULT_BATCHING, ...(given ?? {}) };
  if (!Number.isInteger(out.maxBatch) || out.maxBatch < 1 || out.maxBatch > 4096)
    throw errors.badMeta('batching.maxBatch must be an integer in 1..4096.');
  if (!Number.isFinite(out.maxDelayMs) || out.maxDelayMs < 0 || out.maxDelayMs > 1000)
    throw errors.badMeta('batching.maxDelayMs must be in 0..1000.');
  if (!Number.isInteger(out.maxQueue) || out.maxQueue < 1 || out.maxQueue > 65536)
    throw errors.badMeta('batching.maxQueue must be an integer in 1..65536.');
  if (!Number.isFinite(out.timeoutMs) || out.timeoutMs < 1 || out.timeoutMs > 600_000)
    throw errors.badMeta('batching.timeoutMs must be in 1..600000 (milliseconds).');
  return out;
}

/** Validated alert rules; throws `LEPTON_BAD_META` on negative or non-numeric thresholds. */
export function alertsFrom(given: AlertRules | undefined): AlertRules {
  const out: AlertRules = {};
  for (const key of ['p99Ms', 'p95Ms', 'errorRate', 'minRequests'] as const) {
    const value = given?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw errors.badMeta(`alerts.${key} must be a non-negative number.`);
    out[key] = value;
  }
  if (out.errorRate !== undefined && out.errorRate > 1) throw errors.badMeta('alerts.errorRate is a fraction in 0..1.');
  return out;
}

/** Whether every input and output has a free first dimension, so requests can be stacked into one run. */
export function batchable(meta: Pick<ModelMeta, 'inputs' | 'outputs'>): boolean {
  return [...meta.inputs, ...meta.outputs].every((s) => s.shape.length >= 1 && s.shape[0] === -1);
}
