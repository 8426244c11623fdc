/**
 * The JSON bundles Lepton's outputs carry (under the MIME types of `mime.ts`), as the library writes them and the
 * JupyterLab extension reads them. Types only: nothing here runs, so both sides can import it.
 */
import type { TensorSpec } from '@lepton/server';

/** How a run stands. */
export type TrainingStatus = 'running' | 'finished' | 'stopped' | 'interrupted' | 'failed';

/** One batch's logs. */
export interface BatchPoint {
  /** Position in epochs: epoch − 1 + batch / batches. */
  step: number;
  /** 1-based epoch. */
  epoch: number;
  /** 1-based batch within the epoch. */
  batch: number;
  /** Loss and metrics of this batch. */
  logs: Record<string, number>;
}

/** One epoch's logs: training means over its batches, plus `val_`-prefixed validation values. */
export interface EpochPoint {
  /** 1-based epoch. */
  epoch: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Loss and metrics (training, and `val_*` when validating). */
  logs: Record<string, number>;
}

/** Where a run is. */
export interface TrainingProgress {
  /** The epoch running (or the last one run), 1-based; 0 before the first. */
  epoch: number;
  /** Epochs the run will train. */
  epochs: number;
  /** Batches done in this epoch. */
  batch: number;
  /** Batches per epoch; 0 while unknown (a dataset, until its first epoch ends). */
  batches: number;
  /** Samples seen since the run began. */
  samples: number;
  /** Seconds since the run began. */
  elapsedS: number;
  /** Estimated seconds left; null until a batch has been timed. */
  etaS: number | null;
  /** Training throughput in samples per second; null until a batch has been timed. */
  samplesPerS: number | null;
}

/** The JSON of `application/vnd.lepton.training+json` (see the module comment for the schema). */
export interface TrainingBundle {
  /** The schema's version. */
  version: 1;
  /** Identifies the run (the Stop button sends it back on the `lepton.training` comm). */
  runId: string;
  /** How the run stands. */
  status: TrainingStatus;
  /** Why the run ended early or failed, and what was kept; null otherwise. */
  message: string | null;
  /** The model being trained. */
  model: {
    /** The model's name. */
    name: string;
    /** Its parameter count. */
    params: number;
  };
  /** The TensorFlow.js backend training runs on, e.g. `wasm`. */
  backend: string;
  /** Loss and metric names as the logs use them (validation adds `val_` entries). */
  metrics: string[];
  /** Where the run is. */
  progress: TrainingProgress;
  /** Per-batch logs, thinned to at most 600 points over the whole run. */
  batches: BatchPoint[];
  /** Per-epoch logs, every epoch. */
  epochs: EpochPoint[];
  /** Batches whose points were thinned out of `batches`. */
  batchesDropped: number;
}

/** One layer of a model summary. */
export interface LayerSummary {
  /** The layer's name, e.g. `dense_1`. */
  name: string;
  /** The layer's class, e.g. `Conv2D`. */
  type: string;
  /** Output shape with `null` for the batch dimension. */
  outputShape: (number | null)[] | (number | null)[][];
  /** Its parameter count (weights and biases). */
  params: number;
  /** Whether training updates its weights. */
  trainable: boolean;
}

/**
 * The JSON of `application/vnd.lepton.model+json` (version 1):
 * `{ version: 1, id, name, layers: [{ name, type, outputShape, params, trainable }], params, trainableParams, bytes,
 *    inputShape, outputShape, compiled: { loss, optimizer, metrics } | null, metrics: { loss, acc, … } | null }`.
 * `id` names the model in the kernel for the card's Deploy button (comm target `lepton.model`).
 */
export interface ModelSummaryJson {
  /** The schema's version. */
  version: 1;
  /** The model's id in the kernel that displayed it (see `lepton.model` comm). */
  id: string;
  /** The model's name. */
  name: string;
  /** Its layers, in order. */
  layers: LayerSummary[];
  /** Parameters in all (trainable and not). */
  params: number;
  /** Parameters training updates. */
  trainableParams: number;
  /** Bytes of the weights (float32: 4 per parameter). */
  bytes: number;
  /** The input shape with `null` for the batch dimension (one shape per input for several). */
  inputShape: (number | null)[] | (number | null)[][];
  /** The output shape with `null` for the batch dimension (one shape per output for several). */
  outputShape: (number | null)[] | (number | null)[][];
  /** How the model was compiled, or null when it is not. */
  compiled: {
    /** The loss, by name (`custom` for an unnamed function). */
    loss: string;
    /** The optimizer's class, e.g. `Adam`. */
    optimizer: string;
    /** The metric names (besides the loss). */
    metrics: string[];
  } | null;
  /** The last epoch's logs of the model's last `lepton.fit` (training and `val_*`), or null if never fitted. */
  metrics: Record<string, number> | null;
}

/** The JSON a front end gets for one deployment (the on-the-wire contract of `DEPLOYMENT_MIME`). */
export interface DeploymentCardData {
  /** The deployment's name. */
  name: string;
  /** The version served (versions are numbered from 1). */
  version: string;
  /** `loading`, `ready`, `stopped` or `failed`. */
  status: string;
  /** The model's OIP v2 base URL, e.g. `http://127.0.0.1:8707/v2/models/penguins`. */
  url: string;
  /** The infer endpoint: `url` + `/infer`. */
  inferUrl: string;
  /** Every stored version, oldest first. */
  versions: string[];
  /** The model's inputs: name, datatype and shape (-1 for the batch). */
  inputs: TensorSpec[];
  /** The model's outputs: name, datatype and shape (-1 for the batch). */
  outputs: TensorSpec[];
  /** The raw input the server preprocesses (e.g. image files), when deployed with one: the examples send it. */
  rawInput?: {
    /** The kind of raw input (`image`). */
    kind: string;
    /** The name of the request's BYTES input (`images`). */
    input: string;
  };
}
