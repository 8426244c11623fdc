/**
 * A deployment: one model name serving one version, with its runner, batcher, monitor and log. The name outlives
 * versions: redeploy and rollback swap the loaded version under the same monitor and log.
 */
import { Batcher, type CancelSignal } from './batcher.js';
import { errors, ServerError } from './errors.js';
import type { DeploymentLog } from './logs.js';
import { batchable, type ModelMeta } from './meta.js';
import { Monitor } from './monitor.js';
import { LABEL_OUTPUT, labelsOf } from './preprocess/labels.js';
import { decodeRawInput } from './preprocess/raw.js';
import {
  decodeRecords,
  modelPreprocessor,
  PREPROCESS_PARAMETER,
  type ModelPreprocessor,
} from './preprocess/records.js';
import type { Runner } from './runner.js';
import { halfNonFinite } from './wire/half.js';
import {
  decodeInputs,
  ORT_TYPE,
  outputBytes,
  type FeedData,
  type RequestTensor,
  type ResponseTensor,
} from './tensors.js';
import { BINARY_DATA_SIZE, wantsBinary } from './wire/binary.js';

/** An infer request body (Open Inference Protocol v2). */
export interface InferRequest {
  /** The client's request id, echoed in the answer. */
  id?: string;
  /** Request parameters, e.g. `lepton_preprocess: true` for raw records or images. */
  parameters?: Record<string, unknown>;
  /** The input tensors, one per model input (or one `records` / raw input with `lepton_preprocess`). */
  inputs: RequestTensor[];
  /** The outputs wanted (default: all), each by name, with `parameters.binary_data` to get it as binary data. */
  outputs?: RequestedOutput[];
}

/** One output an infer request asks for. */
export interface RequestedOutput {
  /** The output's name. */
  name: string;
  /** Per-output parameters, e.g. `binary_data: true`. */
  parameters?: Record<string, unknown>;
}

/** The parameters of an infer answer. */
export interface ResponseParameters extends Record<string, unknown> {
  /** Set when an output holds NaN or ±Infinity. */
  non_finite?: true;
}

/** An infer response body. */
export interface InferResponse {
  /** The deployment that answered. */
  model_name: string;
  /** The version that answered. */
  model_version: string;
  /** The request's id, when it had one. */
  id?: string;
  /**
   * `non_finite: true` when an output holds NaN or ±Infinity: JSON has no such numbers, so those elements are
   * `null` in `data` (the answer is still a 200; the deployment counts it in `nonFinite`).
   */
  parameters?: ResponseParameters;
  /** The output tensors, in the model's output order (or the order asked for). */
  outputs: ResponseTensor[];
}

/**
 * An answer: the response (its outputs without `data`), each JSON output's elements as the model returned them
 * (written to text by `responseJson`, with no intermediate arrays), the rows inferred, and the bytes of the
 * outputs answered as binary data.
 */
export interface InferResult {
  response: InferResponse;
  /** The elements of each output answered as JSON, by index in `response.outputs` (undefined for binary ones). */
  values: Array<FeedData | undefined>;
  rows: number;
  /** One chunk per output with `parameters.binary_data_size`, in the order of `response.outputs`; empty for an all-JSON answer. */
  binary: Uint8Array[];
}

/** What bounds one request: its elements per input, and whether its client is still there. */
export interface InferLimits {
  /** Most elements an input may hold (`--max-elements`). */
  maxElements?: number | undefined;
  /** Aborts when the client has gone: queued work is dropped. */
  signal?: CancelSignal;
}

/** A loaded version: what serves requests. */
export class LoadedVersion {
  readonly batcher: Batcher;
  /** The transforms compiled for the model; an error when the version has none or they cannot be applied. */
  readonly preprocess: ModelPreprocessor | ServerError;

  constructor(
    readonly meta: ModelMeta,
    readonly runner: Runner,
    monitor: Monitor,
  ) {
    const inputs = meta.inputs.map((i) => ({ name: i.name, datatype: i.datatype, ortType: ORT_TYPE[i.datatype] }));
    this.batcher = new Batcher(
      runner,
      inputs,
      meta.batching,
      batchable(meta),
      (rows) => {
        monitor.recordRun(rows);
      },
      meta.name,
    );
    this.preprocess = compiledTransforms(meta);
  }

  /** Whether it can take a request now: its sessions are up and its queue has room. */
  get accepting(): boolean {
    return this.runner.healthy && !this.batcher.saturated;
  }

  /**
   * Drains, then frees the runner: the requests already queued or running on this version are answered by it
   * (queued ones until their deadline), so a swap or a stop loses none.
   */
  async close(): Promise<void> {
    await this.batcher.close();
    await this.runner.close();
  }
}

/** A version's transforms compiled for its model, or the error a preprocessing request to it is answered with. */
function compiledTransforms(meta: ModelMeta): ModelPreprocessor | ServerError {
  if (meta.transforms.length === 0 && meta.features === undefined) return errors.noTransforms(meta.name, meta.version);
  try {
    return modelPreprocessor(meta);
  } catch (error) {
    // Deploy refuses such transforms; a registry written by an older server may still hold them.
    if (error instanceof ServerError) return errors.preprocessUnavailable(meta.name, meta.version, error.message);
    throw error;
  }
}

/** The version's compiled transforms; throws the error a preprocessing request is answered with when there are none. */
function preprocessorOf(loaded: LoadedVersion): ModelPreprocessor {
  if (loaded.preprocess instanceof ServerError) throw loaded.preprocess;
  return loaded.preprocess;
}

/** Whether a float output holds NaN or ±Infinity (integer and string outputs cannot). */
function hasNonFinite(datatype: string, data: FeedData): boolean {
  if (datatype === 'FP16') {
    for (let i = 0; i < data.length; i++) if (halfNonFinite(data[i] as number)) return true;
    return false;
  }
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return false;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return true;
  return false;
}

/** An output answered as binary data: its JSON part (no `data`), and its bytes to follow the JSON. */
function binaryOutput(
  name: string,
  datatype: ResponseTensor['datatype'],
  shape: readonly number[],
  data: FeedData,
): { tensor: ResponseTensor; bytes: Uint8Array } {
  const bytes = outputBytes(data);
  return { tensor: { name, datatype, shape: [...shape], parameters: { [BINARY_DATA_SIZE]: bytes.length } }, bytes };
}

/** The states a deployment can be in. */
export type DeploymentStatus = 'ready' | 'loading' | 'stopped' | 'failed';

/** One named deployment. */
export class Deployment {
  readonly monitor = new Monitor();
  status: DeploymentStatus = 'loading';
  /** The version served (or to be served once loaded). */
  version: string;
  loaded: LoadedVersion | undefined;
  /** Why loading failed, when `status` is `failed`. */
  failure: string | undefined;

  constructor(
    readonly name: string,
    version: string,
    readonly log: DeploymentLog,
  ) {
    this.version = version;
  }

  /** Answers an infer request for `version` (undefined: the active one). Throws catalogue errors. */
  async infer(body: InferRequest, version: string | undefined, limits: InferLimits = {}): Promise<InferResult> {
    const loaded = this.loaded;
    if (!loaded || this.status !== 'ready')
      throw errors.notReady(
        this.name,
        version ?? this.version,
        this.status === 'failed' ? `it failed to load (${this.failure})` : `it is ${this.status}`,
      );
    if (version !== undefined && version !== loaded.meta.version)
      throw errors.notReady(
        this.name,
        version,
        `version ${loaded.meta.version} is the one serving; roll back to serve ${version}`,
      );
    const meta = loaded.meta;
    const preprocess = body.parameters?.[PREPROCESS_PARAMETER];
    if (preprocess !== undefined && typeof preprocess !== 'boolean')
      throw errors.badRequest(`parameters.${PREPROCESS_PARAMETER} must be true or false.`);
    const decoded = !preprocess
      ? decodeInputs(this.name, meta.inputs, body.inputs, limits.maxElements)
      : meta.rawInput
        ? await decodeRawInput(meta.rawInput, meta.inputs[0]!, body.inputs)
        : decodeRecords(preprocessorOf(loaded), body.inputs);
    const wanted = body.outputs?.map((o) => o.name);
    const names = [...meta.outputs.map((o) => o.name), ...(meta.classes ? [LABEL_OUTPUT] : [])];
    if (wanted)
      for (const name of wanted) if (!names.includes(name)) throw errors.unknownOutput(this.name, name, names);
    let outputs;
    try {
      outputs = await loaded.batcher.submit(decoded.feeds, decoded.rows, limits.signal);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      throw errors.inferenceFailed(this.name, meta.version, (error as Error).message);
    }
    const response: InferResponse = { model_name: this.name, model_version: meta.version, outputs: [] };
    if (body.id !== undefined) response.id = body.id;
    const values: Array<FeedData | undefined> = [];
    const binary: Uint8Array[] = [];
    const answer = (name: string, datatype: ResponseTensor['datatype'], shape: readonly number[], data: FeedData) => {
      if (wantsBinary(body, name)) {
        const { tensor, bytes } = binaryOutput(name, datatype, shape, data);
        response.outputs.push(tensor);
        values.push(undefined);
        binary.push(bytes);
      } else {
        response.outputs.push({ name, datatype, shape: [...shape] });
        values.push(data);
      }
    };
    for (const spec of meta.outputs) {
      if (wanted && !wanted.includes(spec.name)) continue;
      const out = outputs[spec.name];
      if (!out) continue;
      answer(spec.name, spec.datatype, out.shape, out.data);
      if (!response.parameters && hasNonFinite(spec.datatype, out.data)) response.parameters = { non_finite: true };
    }
    if (response.parameters?.non_finite) this.monitor.nonFinite++;
    const scores = outputs[meta.outputs[0]!.name];
    if (meta.classes && scores && (!wanted || wanted.includes(LABEL_OUTPUT))) {
      answer(
        LABEL_OUTPUT,
        'BYTES',
        [scores.shape[0] ?? 0],
        labelsOf(meta.classes, scores.data as Float32Array, scores.shape),
      );
    }
    return { response, values, rows: decoded.rows, binary };
  }
}
