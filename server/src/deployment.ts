/**
 * A deployment: one model name serving one version, with its runner, batcher, monitor and log. The name outlives
 * versions: redeploy and rollback swap the loaded version under the same monitor and log.
 */
import { Batcher } from './batcher.js';
import { errors, ServerError } from './errors.js';
import type { DeploymentLog } from './logs.js';
import { batchable, type ModelMeta } from './meta.js';
import { Monitor } from './monitor.js';
import { LABEL_OUTPUT, labelOutput } from './preprocess/labels.js';
import { decodeRawInput } from './preprocess/raw.js';
import { decodeRecords, modelPreprocessor, PREPROCESS_PARAMETER, type ModelPreprocessor } from './preprocess/records.js';
import type { Runner } from './runner.js';
import { decodeInputs, encodeOutput, ORT_TYPE, type RequestTensor, type ResponseTensor } from './tensors.js';

/** An infer request body (Open Inference Protocol v2). */
export interface InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: RequestTensor[];
  outputs?: Array<{ name: string; parameters?: Record<string, unknown> }>;
}

/** An infer response body. */
export interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: ResponseTensor[];
}

/** A loaded version: what serves requests. */
export class LoadedVersion {
  readonly batcher: Batcher;
  /** The transforms compiled for the model; an error when the version has none or they cannot be applied. */
  readonly preprocess: ModelPreprocessor | ServerError;

  constructor(readonly meta: ModelMeta, readonly runner: Runner, monitor: Monitor) {
    const inputs = meta.inputs.map((i) => ({ name: i.name, datatype: i.datatype, ortType: ORT_TYPE[i.datatype] }));
    this.batcher = new Batcher(runner, inputs, meta.batching, batchable(meta), (rows) => monitor.recordRun(rows));
    this.preprocess = compiledTransforms(meta);
  }

  /** Stops taking work and frees the runner. */
  async close(): Promise<void> {
    this.batcher.drain(errors.notReady(this.meta.name, this.meta.version, 'it was unloaded'));
    await this.runner.close();
  }
}

/** A version's transforms compiled for its model, or the error a preprocessing request to it is answered with. */
function compiledTransforms(meta: ModelMeta): ModelPreprocessor | ServerError {
  if (meta.transforms.length === 0) return errors.noTransforms(meta.name, meta.version);
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

  constructor(readonly name: string, version: string, readonly log: DeploymentLog) {
    this.version = version;
  }

  /** Answers an infer request for `version` (undefined: the active one). Throws catalogue errors. */
  async infer(body: InferRequest, version: string | undefined): Promise<{ response: InferResponse; rows: number }> {
    const loaded = this.loaded;
    if (!loaded || this.status !== 'ready') throw errors.notReady(this.name, version ?? this.version, this.status === 'failed' ? `it failed to load (${this.failure})` : `it is ${this.status}`);
    if (version !== undefined && version !== loaded.meta.version) throw errors.notReady(this.name, version, `version ${loaded.meta.version} is the one serving; roll back to serve ${version}`);
    const meta = loaded.meta;
    const preprocess = body.parameters?.[PREPROCESS_PARAMETER];
    if (preprocess !== undefined && typeof preprocess !== 'boolean') throw errors.badRequest(`parameters.${PREPROCESS_PARAMETER} must be true or false.`);
    const decoded = !preprocess ? decodeInputs(this.name, meta.inputs, body.inputs)
      : meta.rawInput ? await decodeRawInput(meta.rawInput, meta.inputs[0]!, body.inputs)
      : decodeRecords(preprocessorOf(loaded), body.inputs);
    const wanted = body.outputs?.map((o) => o.name);
    const names = [...meta.outputs.map((o) => o.name), ...(meta.classes ? [LABEL_OUTPUT] : [])];
    if (wanted) for (const name of wanted) if (!names.includes(name)) throw errors.unknownOutput(this.name, name, names);
    let outputs;
    try {
      outputs = await loaded.batcher.submit(decoded.feeds, decoded.rows);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      throw errors.inferenceFailed(this.name, meta.version, (error as Error).message);
    }
    const response: InferResponse = { model_name: this.name, model_version: meta.version, outputs: [] };
    if (body.id !== undefined) response.id = body.id;
    for (const spec of meta.outputs) {
      if (wanted && !wanted.includes(spec.name)) continue;
      const out = outputs[spec.name];
      if (out) response.outputs.push(encodeOutput(spec.name, spec.datatype, out.shape, out.data));
    }
    const scores = outputs[meta.outputs[0]!.name];
    if (meta.classes && scores && (!wanted || wanted.includes(LABEL_OUTPUT))) response.outputs.push(labelOutput(meta.classes, scores.data, scores.shape));
    return { response, rows: decoded.rows };
  }
}
