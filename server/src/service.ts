/**
 * The deployments service: the registry on disk and the deployments in memory, kept in step. Deploy, rollback,
 * stop and start change both, one operation at a time per name; `restore` brings back what was running.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Deployment, LoadedVersion } from './deployment.js';
import { errors, ServerError } from './errors.js';
import type { HomePaths } from './home.js';
import { DeploymentLog } from './logs.js';
import { alertsFrom, assertModelName, batchingFrom, reconcileSpecs, specsFromOrt, type DeployMeta, type ModelMeta } from './meta.js';
import type { MetricsSnapshot } from './monitor.js';
import { parseClasses } from './preprocess/labels.js';
import { parseRawInput } from './preprocess/raw.js';
import { modelPreprocessor } from './preprocess/records.js';
import { Registry } from './registry.js';
import { loadRunner, SESSION_OPTIONS } from './runner.js';

/** Options of the service. */
export interface ServiceOptions {
  /** Worker threads (sessions) per deployment; 0 runs models in the server's thread. */
  workers: number;
}

/** A deployment in a listing. */
export interface DeploymentSummary {
  name: string;
  status: Deployment['status'];
  /** The version served. */
  version: string;
  versions: string[];
  requests: number;
  errors: number;
  alerts: number;
}

/** The full status of a deployment. */
export interface DeploymentInfo extends DeploymentSummary {
  failure?: string;
  meta: ModelMeta;
  metrics: MetricsSnapshot;
}

/** The registry and the live deployments. */
export class Service {
  readonly registry: Registry;
  private readonly deployments = new Map<string, Deployment>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private alertTimer: NodeJS.Timeout | undefined;

  constructor(readonly paths: HomePaths, readonly options: ServiceOptions) {
    this.registry = new Registry(paths.models);
  }

  /** Loads every deployment that was running; lists stopped ones. Starts the alert checks. */
  async restore(): Promise<void> {
    this.registry.sweep();
    await Promise.all(this.registry.names().map((name) => this.locked(name, async () => {
      const state = this.registry.state(name);
      const version = state?.active ?? this.registry.versions(name).at(-1)!;
      const deployment = this.deploymentFor(name, version);
      if (state?.running) await this.load(deployment, version, 'restore');
      else deployment.status = 'stopped';
    })));
    this.alertTimer = setInterval(() => this.checkAlerts(), 1000);
    this.alertTimer.unref();
  }

  /** The deployment called `name`; throws `LEPTON_UNKNOWN_MODEL`. */
  get(name: string): Deployment {
    const deployment = this.deployments.get(name);
    if (!deployment) throw errors.unknownModel(name);
    return deployment;
  }

  /** The deployment called `name`, or undefined. */
  find(name: string): Deployment | undefined {
    return this.deployments.get(name);
  }

  /** Every deployment, by name. */
  all(): Deployment[] {
    return [...this.deployments.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A deployment's listing entry. */
  summary(name: string): DeploymentSummary {
    const d = this.get(name);
    return {
      name, status: d.status, version: d.version, versions: this.registry.versions(name),
      requests: d.monitor.requests, errors: d.monitor.errors, alerts: d.monitor.snapshot().alerts.length,
    };
  }

  /** The bytes of the model version `name` serves (or served last, when stopped). */
  activeModel(name: string): Buffer {
    return readFileSync(this.registry.modelPath(name, this.get(name).version));
  }

  /** A deployment's full status. */
  info(name: string): DeploymentInfo {
    const d = this.get(name);
    const info: DeploymentInfo = { ...this.summary(name), meta: d.loaded?.meta ?? this.registry.meta(name, d.version), metrics: d.monitor.snapshot() };
    if (d.failure) info.failure = d.failure;
    return info;
  }

  /**
   * Deploys `onnx` as the next version of `name` (the first, for a new name) and serves it. The model is loaded
   * and checked before anything is written; the version is written atomically.
   */
  deploy(name: string, onnx: Uint8Array, given: DeployMeta = {}): Promise<DeploymentInfo> {
    assertModelName(name);
    return this.locked(name, async () => {
      const meta = await describeModel(onnx, given);
      const stored = this.registry.addVersion(name, onnx, meta);
      const deployment = this.deploymentFor(name, stored.version);
      await this.load(deployment, stored.version, 'deploy');
      return this.info(name);
    });
  }

  /** Serves `version` of `name` again (default: the version before the one serving). */
  rollback(name: string, version?: string): Promise<DeploymentInfo> {
    return this.locked(name, async () => {
      const deployment = this.get(name);
      const versions = this.registry.versions(name);
      const target = version ?? versions.filter((v) => Number(v) < Number(deployment.version)).at(-1);
      if (target === undefined) throw errors.noEarlierVersion(name, deployment.version);
      if (!this.registry.has(name, target)) throw errors.unknownVersion(name, target, versions);
      await this.load(deployment, target, 'rollback');
      return this.info(name);
    });
  }

  /** Stops serving `name` (its versions stay in the registry; `start` serves it again). */
  stop(name: string): Promise<DeploymentInfo> {
    return this.locked(name, async () => {
      const deployment = this.get(name);
      const loaded = deployment.loaded;
      deployment.loaded = undefined;
      deployment.status = 'stopped';
      this.registry.setState(name, { active: deployment.version, running: false });
      await loaded?.close();
      deployment.log.write('info', 'stop', `Stopped serving version ${deployment.version}.`, { version: deployment.version });
      return this.info(name);
    });
  }

  /** Serves a stopped (or failed) deployment's active version again. */
  start(name: string): Promise<DeploymentInfo> {
    return this.locked(name, async () => {
      const deployment = this.get(name);
      if (deployment.status !== 'ready') await this.load(deployment, deployment.version, 'start');
      return this.info(name);
    });
  }

  /** Judges every deployment's alert rules and logs what changed. */
  checkAlerts(): void {
    for (const d of this.deployments.values()) {
      const rules = d.loaded?.meta.alerts;
      if (!rules || Object.keys(rules).length === 0) continue;
      for (const event of d.monitor.checkAlerts(rules)) {
        const { rule, value, threshold } = event.alert;
        d.log.write(event.kind === 'raised' ? 'warn' : 'info', 'alert',
          `Alert ${event.kind}: ${rule} is ${round(value)} (threshold ${threshold}) over the last minute.`, { version: d.version, code: `ALERT_${rule}` });
      }
    }
  }

  /** Unloads everything and closes the logs. */
  async close(): Promise<void> {
    if (this.alertTimer) clearInterval(this.alertTimer);
    await Promise.all([...this.deployments.values()].map(async (d) => {
      await d.loaded?.close();
      d.loaded = undefined;
      await d.log.close();
    }));
  }

  private deploymentFor(name: string, version: string): Deployment {
    let deployment = this.deployments.get(name);
    if (!deployment) {
      deployment = new Deployment(name, version, new DeploymentLog(join(this.paths.logs, `${name}.log`)));
      this.deployments.set(name, deployment);
    }
    return deployment;
  }

  /** Loads `version` into `deployment`, swapping out what served before; records the state and logs `event`. */
  private async load(deployment: Deployment, version: string, event: string): Promise<void> {
    const meta = this.registry.meta(deployment.name, version);
    let runner;
    try {
      runner = await loadRunner(this.registry.modelPath(deployment.name, version), this.options.workers);
    } catch (error) {
      const message = (error as Error).message;
      if (!deployment.loaded) {
        deployment.status = 'failed';
        deployment.failure = message;
      }
      deployment.log.write('error', event, `Version ${version} failed to load: ${message}`, { version, code: 'LEPTON_LOAD_FAILED' });
      if (event === 'restore') return;
      throw errors.badModel(message);
    }
    const previous = deployment.loaded;
    deployment.loaded = new LoadedVersion(meta, runner, deployment.monitor);
    deployment.version = version;
    deployment.status = 'ready';
    deployment.failure = undefined;
    this.registry.setState(deployment.name, { active: version, running: true });
    await previous?.close();
    const what = { deploy: 'Deployed', rollback: 'Rolled back to', start: 'Started', restore: 'Restored' }[event] ?? event;
    deployment.log.write('info', event, `${what} version ${version} (${runner.capacity} session${runner.capacity === 1 ? '' : 's'}).`, { version });
  }

  private locked<T>(name: string, job: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const next = previous.then(job, job);
    const settled = next.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return next;
  }
}

/** The metadata of a new version: the model's own inputs and outputs (checked against `given`), and the rest of `given`. */
export async function describeModel(onnx: Uint8Array, given: DeployMeta): Promise<Omit<ModelMeta, 'name' | 'version'>> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnx, SESSION_OPTIONS);
  } catch (error) {
    throw errors.badModel(firstLine((error as Error).message));
  }
  try {
    const inputs = reconcileSpecs('inputs', specsFromOrt(session.inputMetadata), given.inputs);
    const outputs = reconcileSpecs('outputs', specsFromOrt(session.outputMetadata), given.outputs);
    if (given.transforms !== undefined && !Array.isArray(given.transforms)) throw errors.badMeta('transforms must be an array of transform JSON objects.');
    const transforms = given.transforms ?? [];
    if (given.features !== undefined && transforms.length === 0) throw errors.badMeta('features names the columns the transforms give the model; deploy it with transforms.');
    // Transforms are applied to records by this server: refuse at deploy what it could not apply.
    if (transforms.length > 0) modelPreprocessor({ inputs, transforms, features: given.features });
    if (transforms.length > 0 && given.rawInput !== undefined) throw errors.badMeta('a version preprocesses records (transforms) or a raw input (rawInput), not both.');
    const rawInput = given.rawInput === undefined ? undefined : parseRawInput(given.rawInput, inputs);
    const classes = given.classes === undefined ? undefined : parseClasses(given.classes, outputs);
    if (given.metrics !== undefined && (typeof given.metrics !== 'object' || Object.values(given.metrics).some((v) => typeof v !== 'number'))) {
      throw errors.badMeta('metrics must map names to numbers.');
    }
    return {
      format: 1,
      inputs,
      outputs,
      transforms,
      ...(given.features === undefined ? {} : { features: given.features }),
      ...(rawInput === undefined ? {} : { rawInput }),
      ...(classes === undefined ? {} : { classes }),
      metrics: given.metrics ?? {},
      description: given.description ?? '',
      alerts: alertsFrom(given.alerts),
      batching: batchingFrom(given.batching),
      sha256: createHash('sha256').update(onnx).digest('hex'),
      bytes: onnx.byteLength,
      createdAt: new Date().toISOString(),
    };
  } catch (error) {
    if (error instanceof ServerError) throw error;
    throw errors.badModel((error as Error).message);
  } finally {
    await session.release();
  }
}

function firstLine(text: string): string {
  // onnxruntime colours its messages with ANSI escapes (ESC [ … m).
  return text.split('\n')[0]!.replace(new RegExp(String.fromCharCode(27) + '\\[[0-9;]*m', 'g'), '');
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
