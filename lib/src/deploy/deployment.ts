/**
 * `Deployment`: a model served by the Lepton server, as the notebook sees it. It predicts over the Open Inference
 * Protocol v2, reports status, metrics and logs, redeploys, rolls back and stops, and displays as a card.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classPredictions, type ClassPrediction } from './predictions.js';
import type * as tf from '@tensorflow/tfjs';
import type { DeployMeta, DeploymentInfo, LogEntry, MetricsSnapshot, ServerClient } from '@lepton/server';
import { RAW_INPUT_NAMES } from '@lepton/server/preprocess';
import { BINARY_DATA_OUTPUT } from '@lepton/server/wire';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { getHost } from '../display/host.js';
import { cardBundle, type DeploymentCardData } from './card.js';
import { onlyOutput, recordList, type Records } from './calls.js';
import { DeployError } from './errors.js';
import { DeploymentLogs, formatEntry } from './logs.js';
import { onnxBytes, type Deployable } from './model-source.js';
import { serverError } from './server.js';
import { requestTensors, responseTensors, type PredictInputs } from './tensors.js';

/** Options of `Deployment.logs`. */
export interface LogsOptions {
  /** How many past entries to show (default 100). */
  tail?: number;
  /** Keep printing new entries as they come, until the cell is interrupted, `signal` aborts or `durationMs` passes. */
  follow?: boolean;
  /** Stops following. */
  signal?: AbortSignal;
  /** Stops following after this many milliseconds. */
  durationMs?: number;
}

/** Options of `Deployment.redeploy`: what to change in the new version's metadata (the rest carries over). */
export type RedeployOptions = Pick<
  DeployMeta,
  'alerts' | 'batching' | 'metrics' | 'description' | 'transforms' | 'features' | 'rawInput' | 'classes'
>;

export type { Records } from './calls.js';

/** How often an overloaded server (503 with Retry-After) is asked again before the error reaches the caller. */
const OVERLOAD_RETRIES = 2;

/** Calls `call`, again after the server's Retry-After (at most 5 s) while it answers 503 overloaded. */
async function withRetry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const e = error as { name?: string; status?: number; retryAfterS?: number };
      if (
        attempt >= OVERLOAD_RETRIES ||
        e.name !== 'ServerClientError' ||
        e.status !== 503 ||
        e.retryAfterS === undefined
      )
        throw error;
      const waitMs = Math.min(e.retryAfterS, 5) * 1000;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** One image's prediction from `Deployment.predictImages`. */
export interface ImagePrediction {
  /** The most probable class's name (null for an image the server could not decode). */
  label: string | null;
  /** Its probability. */
  probability: number;
  /** Every class's probability, in class order. */
  probabilities: number[];
  /** Why the image could not be decoded (with `onBadImage: 'skip'`). */
  error?: string;
}

/** Options of `Deployment.predictImages`. */
export interface PredictImagesOptions {
  /**
   * An image the server cannot decode: the call fails naming it (`'error'`, default), or its entry has `label:
   * null` and the `error`, and the other images are predicted (`'skip'`).
   */
  onBadImage?: 'error' | 'skip';
}

/** The reason given for each image in a `LEPTON_BAD_IMAGE` message ("Images 1 (reason), 3 (reason) of …"). */
function reasonsByIndex(message: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of message.matchAll(/(\d+) \(([^)]*)\)/g)) out.set(Number(m[1]), m[2]!);
  return out;
}

/** A deployed model. Get one from `lepton.deploy(model, opts)` or `lepton.deployments()`. */
export class Deployment {
  private info: DeploymentInfo;

  /** @internal */
  constructor(
    private readonly client: ServerClient,
    info: DeploymentInfo,
    private readonly home: string,
  ) {
    this.info = info;
  }

  /** The served version's `model.onnx` in the server's registry (under the Lepton home). */
  get modelPath(): string {
    return join(this.home, 'models', this.name, this.version, 'model.onnx');
  }

  /** The deployment's name (its URL path segment). */
  get name(): string {
    return this.info.name;
  }

  /** The version served, as last seen ("1", "2", …). */
  get version(): string {
    return this.info.version;
  }

  /**
   * The served version's metadata as last seen (inputs, outputs, transforms, features, batching), or undefined when
   * its registry entry is broken; `lepton.export.modelRepository` reads the transforms and batching here.
   */
  get metadata(): DeploymentInfo['meta'] {
    return this.info.meta;
  }

  /** The status as last seen: `ready`, `loading`, `stopped` or `failed` (`status()` asks the server). */
  get state(): string {
    return this.info.status;
  }

  /** The model's OIP v2 URL, e.g. `http://127.0.0.1:8707/v2/models/penguins`; POST to `${url}/infer`. */
  get url(): string {
    return `${this.client.url}/v2/models/${encodeURIComponent(this.name)}`;
  }

  /**
   * Runs the served model on `x` through the server's infer route and returns its output as a `tf.Tensor` (dispose
   * it, or call inside `tf.tidy`). A single example without its batch dimension is sent as a batch of one.
   * @param x a `tf.Tensor`, nested number arrays, or `{ data: Float32Array, shape }`; for several inputs, one per input name
   * @returns the model's only output (use `predictAll` for a model with several)
   * @example const probs = await deployment.predict([[0.1, -0.3, 1.2, 0.5]]);
   */
  async predict(x: PredictInputs): Promise<tf.Tensor> {
    return onlyOutput(await this.predictAll(x), this.name, 'predictAll(x)');
  }

  /** Like `predict`, for any number of outputs: a `tf.Tensor` per output name. */
  async predictAll(x: PredictInputs): Promise<Record<string, tf.Tensor>> {
    const inputs = requestTensors(this.meta().inputs, x);
    // A request large enough to go as binary data asks for its outputs as binary data too.
    const parameters = inputs.some((i) => i.binary !== undefined) ? { [BINARY_DATA_OUTPUT]: true } : undefined;
    try {
      return responseTensors(
        await withRetry(() => this.client.infer(this.name, parameters ? { parameters, inputs } : { inputs })),
      );
    } catch (error) {
      throw serverError(`Prediction with "${this.name}" failed`, error);
    }
  }

  /**
   * Runs the served model on raw records: the server applies the transforms the deployment was deployed with
   * (`lepton.deploy(model, { transforms })`) and runs the model on the rows they give, so the caller sends fields,
   * not tensors. Returns the model's output as a `tf.Tensor` (dispose it, or call inside `tf.tidy`).
   * Throws `LEPTON_SERVER` with the server's code: `LEPTON_NO_TRANSFORMS` for a deployment without transforms,
   * `LEPTON_BAD_RECORD` naming the record and field that cannot be preprocessed (missing, NaN, not a number, a
   * category not seen in fitting).
   * @param records objects of raw fields (extra fields are ignored), or a DataFrame
   * @returns the model's only output (use `predictRecordsAll` for a model with several)
   * @example const probs = await deployment.predictRecords([{ 'Beak Length (mm)': 39.1, 'Beak Depth (mm)': 18.7, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750 }]);
   */
  async predictRecords(records: Records): Promise<tf.Tensor> {
    return onlyOutput(await this.predictRecordsAll(records), this.name, 'predictRecordsAll(records)');
  }

  /** Like `predictRecords`, for any number of outputs: a `tf.Tensor` per output name. */
  async predictRecordsAll(records: Records): Promise<Record<string, tf.Tensor>> {
    const list = recordList(records, this.name);
    const { recordsRequest } = await import('@lepton/server/preprocess');
    try {
      return responseTensors(await withRetry(() => this.client.infer(this.name, recordsRequest(list))));
    } catch (error) {
      throw serverError(`Prediction with "${this.name}" from records failed`, error);
    }
  }

  /**
   * Classifies image files on the server: sends them as they are (base64 BYTES with `lepton_preprocess`), and the
   * server decodes and resizes them with the code training used (`lepton.deploy(model, { image })`, or the image
   * dataset the model trained on). Returns one prediction per image, in order.
   * Throws `LEPTON_SERVER` with the server's code: `LEPTON_BAD_IMAGE` naming the images that cannot be decoded
   * (unless `onBadImage: 'skip'`), `LEPTON_NO_TRANSFORMS` for a deployment without image preprocessing.
   * @param images file paths, or the files' bytes
   * @example const [first] = await deployment.predictImages(['digits/7/0.png']); first.label
   */
  async predictImages(
    images: ReadonlyArray<string | Uint8Array>,
    options: PredictImagesOptions = {},
  ): Promise<ImagePrediction[]> {
    if (!Array.isArray(images) || images.length === 0)
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `predictImages on "${this.name}": expected a non-empty array of image file paths or their bytes.`,
      );
    const files = await Promise.all(
      images.map(async (image, i) => {
        if (typeof image === 'string') {
          try {
            return await readFile(image);
          } catch (error) {
            throw new DeployError(
              'LEPTON_BAD_INPUT',
              `predictImages on "${this.name}": image ${i}, ${image}, cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
            );
          }
        }
        if (image instanceof Uint8Array) return image;
        throw new DeployError(
          'LEPTON_BAD_INPUT',
          `predictImages on "${this.name}": image ${i} is ${typeof image}, not a path or bytes.`,
        );
      }),
    );
    const { rawInputRequest } = await import('@lepton/server/preprocess');
    const send = (indexes: number[]) =>
      this.client.infer(
        this.name,
        rawInputRequest(
          'image',
          indexes.map((i) => Buffer.from(files[i]!).toString('base64')),
        ),
      );
    const all = files.map((_, i) => i);
    const results: ImagePrediction[] = [];
    let good = all;
    let response;
    try {
      try {
        response = await send(good);
      } catch (error) {
        const bad =
          (error as { code?: string; details?: { indexes?: number[] } }).code === 'LEPTON_BAD_IMAGE'
            ? (error as { details?: { indexes?: number[] } }).details?.indexes
            : undefined;
        if (options.onBadImage !== 'skip' || !bad) throw error;
        // The server named the bad images; the others are sent again, so none of them is lost.
        const reasons = reasonsByIndex((error as Error).message);
        for (const i of bad)
          results[i] = {
            label: null,
            probability: 0,
            probabilities: [],
            error: reasons.get(i) ?? 'could not be decoded',
          };
        good = all.filter((i) => !bad.includes(i));
        response = good.length ? await send(good) : undefined;
      }
    } catch (error) {
      throw serverError(`Prediction with "${this.name}" from images failed`, error);
    }
    if (response) {
      const predictions = classPredictions(response);
      good.forEach((i, row) => (results[i] = predictions[row]!));
    }
    return results;
  }

  /**
   * Classifies raw texts on the server: sends them as UTF-8 strings (BYTES with `lepton_preprocess`), and the server
   * vectorizes them with the vectorizer deployed beside the model (`lepton.deploy(model, { transforms: [vectorizer] })`)
   * and the same code as the notebook. Any string is answered: empty, emoji, CJK, or long (cut to the sequence length).
   * Throws `LEPTON_BAD_INPUT` for an item that is not a string (naming its index), `LEPTON_SERVER` with the server's
   * code otherwise (`LEPTON_NO_TRANSFORMS` for a deployment without a vectorizer).
   * @example const [p] = await deployment.predictText(['WIN a FREE cruise!!!']); p.label
   */
  async predictText(texts: readonly string[]): Promise<ClassPrediction[]> {
    if (!Array.isArray(texts) || texts.length === 0)
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `predictText on "${this.name}": expected a non-empty array of strings.`,
      );
    const bad = texts.findIndex((t) => typeof t !== 'string');
    if (bad >= 0)
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `predictText on "${this.name}": item ${bad} is ${texts[bad] === null ? 'null' : typeof texts[bad]}, not a string.`,
      );
    const { rawInputRequest } = await import('@lepton/server/preprocess');
    try {
      return classPredictions(await this.client.infer(this.name, rawInputRequest('text', texts)));
    } catch (error) {
      throw serverError(`Prediction with "${this.name}" from text failed`, error);
    }
  }

  /** Asks the server for the full status (versions, metadata, metrics, alerts) and updates this object. */
  async status(): Promise<DeploymentInfo> {
    return this.refresh(() => this.client.status(this.name), 'Status');
  }

  /** Request and error counts, throughput, latency quantiles over the last minute and overall, and firing alerts. */
  async metrics(): Promise<MetricsSnapshot> {
    try {
      return await this.client.metrics(this.name);
    } catch (error) {
      throw serverError(`Metrics of "${this.name}"`, error);
    }
  }

  /**
   * The deployment's log (deploys, rollbacks, stops, alerts, failed requests). With `follow: true`, new entries
   * are printed as they come until the cell is interrupted, `signal` aborts or `durationMs` passes.
   * @returns the entries, past and followed, oldest first
   * @example await deployment.logs({ follow: true, durationMs: 10_000 })
   */
  async logs(options: LogsOptions = {}): Promise<DeploymentLogs> {
    let entries: LogEntry[];
    try {
      entries = await this.client.logs(this.name, options.tail ?? 100);
    } catch (error) {
      throw serverError(`Logs of "${this.name}"`, error);
    }
    if (!options.follow) return new DeploymentLogs(this.name, entries);
    const signals = [getHost().signal()];
    if (options.signal) signals.push(options.signal);
    if (options.durationMs !== undefined) signals.push(AbortSignal.timeout(options.durationMs));
    const seen = new Set(entries.map((e) => JSON.stringify(e)));
    const followed: LogEntry[] = [];
    await this.client
      .streamLogs(
        this.name,
        (entry) => {
          if (seen.has(JSON.stringify(entry))) return;
          followed.push(entry);
          console.log(formatEntry(entry));
        },
        AbortSignal.any(signals),
      )
      .catch((error: unknown) => {
        throw serverError(`Following the logs of "${this.name}"`, error);
      });
    return new DeploymentLogs(this.name, [...entries, ...followed]);
  }

  /** Deploys `model` (a LayersModel, exported to ONNX, or ONNX bytes) as the next version and serves it once ready. */
  async redeploy(model: Deployable, options: RedeployOptions = {}): Promise<this> {
    const bytes = await onnxBytes(model, this.name);
    await this.refresh(() => this.client.redeploy(this.name, bytes, options), 'Redeploy');
    return this.ready();
  }

  /** Serves an earlier version again: `version`, or the one before the version served. */
  async rollback(version?: string | number): Promise<this> {
    await this.refresh(() => this.client.rollback(this.name, version), 'Rollback');
    return this.ready();
  }

  /** Stops serving (the versions stay in the registry; `start()` serves it again). */
  async stop(): Promise<this> {
    await this.refresh(() => this.client.stop(this.name), 'Stop');
    return this;
  }

  /**
   * Removes a version from the server's registry, or, without `version`, the whole deployment (it stops serving;
   * its versions, state and log are deleted). The version served cannot be removed alone: roll back first.
   * @returns the versions removed
   * @example await deployment.remove({ version: 1 })   // an old version
   * @example await deployment.remove()                 // everything
   */
  async remove(options: { version?: string | number } = {}): Promise<string[]> {
    try {
      const { removed } = await this.client.remove(this.name, options.version);
      if (options.version !== undefined)
        this.info = { ...this.info, versions: this.info.versions.filter((v) => !removed.includes(v)) };
      else this.info = { ...this.info, status: 'stopped', versions: [] };
      return removed;
    } catch (error) {
      throw serverError(
        `Removing ${options.version === undefined ? '' : `version ${options.version} of `}"${this.name}"`,
        error,
      );
    }
  }

  /** Serves a stopped deployment again. */
  async start(): Promise<this> {
    await this.refresh(() => this.client.start(this.name), 'Start');
    return this.ready();
  }

  /** The card's data: what the `application/vnd.lepton.deployment+json` bundle holds. */
  toJSON(): DeploymentCardData {
    return {
      name: this.name,
      version: this.version,
      status: this.state,
      url: this.url,
      inferUrl: `${this.url}/infer`,
      versions: this.info.versions,
      inputs: this.info.meta?.inputs ?? [],
      outputs: this.info.meta?.outputs ?? [],
      ...(this.info.meta?.rawInput
        ? { rawInput: { kind: this.info.meta.rawInput.kind, input: RAW_INPUT_NAMES[this.info.meta.rawInput.kind] } }
        : {}),
    };
  }

  /** A card: name, version, status, URL, an example curl and the TypeScript call. */
  [displaySymbol](): MimeBundle {
    return cardBundle(this.toJSON());
  }

  /** Polls until the served version is loaded; throws `LEPTON_DEPLOY_FAILED` with the server's reason. @internal */
  async ready(timeoutMs = 60_000): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    while (this.info.status === 'loading') {
      if (Date.now() > deadline)
        throw new DeployError(
          'LEPTON_DEPLOY_FAILED',
          `"${this.name}" v${this.version} is still loading after ${timeoutMs} ms; see its logs().`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.status();
    }
    if (this.info.status === 'failed') {
      throw new DeployError(
        'LEPTON_DEPLOY_FAILED',
        `"${this.name}" v${this.version} failed to load on the server: ${this.info.failure ?? 'no reason given'}. Check the model, then redeploy or rollback().`,
      );
    }
    return this;
  }

  /** The served version's metadata; throws `LEPTON_DEPLOY_FAILED` with the server's reason when its entry is broken. */
  private meta(): NonNullable<DeploymentInfo['meta']> {
    if (this.info.meta) return this.info.meta;
    throw new DeployError(
      'LEPTON_DEPLOY_FAILED',
      `"${this.name}" has no readable metadata on the server: ${this.info.failure ?? 'no reason given'}`,
    );
  }

  private async refresh(call: () => Promise<DeploymentInfo>, what: string): Promise<DeploymentInfo> {
    try {
      this.info = await call();
    } catch (error) {
      throw serverError(`${what} of "${this.name}"`, error);
    }
    return this.info;
  }
}
