/**
 * The deployments service: the registry on disk and the deployments in memory, kept in step. Deploy, rollback,
 * stop and start change both, one operation at a time per name; `restore` brings back what was running.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Deployment, LoadedVersion } from './deployment.js';
import { errors, ServerError, storageError } from './errors.js';
import type { HomePaths } from './home.js';
import { DeploymentLog } from './logs.js';
import {
  alertsFrom,
  assertModelName,
  batchingFrom,
  DEFAULT_BATCHING,
  reconcileSpecs,
  specsFromOrt,
  type DeployMeta,
  type ModelMeta,
} from './meta.js';
import { parseClasses } from './preprocess/labels.js';
import { parseRawInput } from './preprocess/raw.js';
import { modelPreprocessor } from './preprocess/records.js';
import { Registry } from './registry.js';
import type { DeploymentInfo, DeploymentSummary, Removal } from './routes/table.js';
import { loadRunner, SESSION_OPTIONS } from './runner.js';

/** Options of the service. */
export interface ServiceOptions {
  /**
   * Worker threads (sessions) per deployment; 0 runs models in the server's thread, as does a model whose batch-1 run
   * is cheaper than the hop to a worker (`INLINE_RUN_MS`).
   */
  workers: number;
  /** Most elements one input of one request may hold (default `DEFAULT_MAX_ELEMENTS`). */
  maxElements?: number;
}

// The shapes the management API answers with are declared once, by their schemas in the route table.
export type { DeploymentInfo, DeploymentSummary, Removal } from './routes/table.js';

/** What `GET /v2/health/ready` reports. */
export interface Readiness {
  /** Whether every deployment that should serve can take requests now. */
  ready: boolean;
  /** Why not, one line per deployment that should serve but cannot take requests. */
  reasons: string[];
}

/** The registry and the live deployments. */
export class Service {
  /** The versions on disk, by deployment. */
  readonly registry: Registry;
  private readonly deployments = new Map<string, Deployment>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private alertTimer: NodeJS.Timeout | undefined;

  /**
   * @param paths where the registry, logs and server files are, in the Lepton home
   * @param options workers per deployment and request limits
   */
  constructor(
    readonly paths: HomePaths,
    readonly options: ServiceOptions,
  ) {
    this.registry = new Registry(paths.models);
  }

  /**
   * Loads every deployment that was running; lists stopped ones. Each is restored on its own: a broken registry
   * entry (an unreadable `state.json` or `meta.json`, a state naming a missing version, a model that fails to load)
   * is listed as `failed` with the reason and the fix, and the others serve. Starts the alert checks.
   */
  async restore(): Promise<void> {
    try {
      this.registry.sweep();
    } catch (error) {
      process.stderr.write(
        `lepton-server: could not sweep leftovers from ${this.paths.models}: ${(error as Error).message}\n`,
      );
    }
    await Promise.all(this.registry.names().map((name) => this.locked(name, () => this.restoreOne(name))));
    this.alertTimer = setInterval(() => {
      this.checkAlerts();
    }, 1000);
    this.alertTimer.unref();
  }

  /** Restores one deployment; never throws (a failure is the deployment's status). */
  private async restoreOne(name: string): Promise<void> {
    const versions = this.registry.versions(name);
    const read = this.registry.readState(name);
    const state = 'state' in read ? read.state : undefined;
    const deployment = this.deploymentFor(name, state?.active ?? versions.at(-1)!);
    const fail = (problem: string, fix: string) => {
      deployment.status = 'failed';
      deployment.failure = errors.brokenEntry(name, problem, fix).message;
      deployment.log.write('error', 'restore', deployment.failure, { code: 'LEPTON_BROKEN_ENTRY' });
    };
    const rollbackFix = `Roll back to a version that exists (versions: ${versions.join(', ')}), or remove the deployment (deployment.remove() or DELETE /lepton/v1/deployments/${name}).`;
    if ('problem' in read) {
      fail(read.problem, rollbackFix);
      return;
    }
    if (state && !versions.includes(state.active)) {
      fail(`state.json names version ${state.active}, which is not in the registry`, rollbackFix);
      return;
    }
    if (!state?.running) {
      deployment.status = 'stopped';
      return;
    }
    try {
      await this.load(deployment, deployment.version, 'restore');
    } catch (error) {
      if (error instanceof ServerError && error.code === 'LEPTON_BROKEN_ENTRY') {
        deployment.status = 'failed';
        deployment.failure = error.message;
        deployment.log.write('error', 'restore', error.message, { version: deployment.version, code: error.code });
      } else fail(`version ${deployment.version} could not be restored (${(error as Error).message})`, rollbackFix);
    }
  }

  /** Whether every deployment that should serve can take requests: its sessions up, its queue not full. */
  readiness(): Readiness {
    const reasons: string[] = [];
    for (const d of this.deployments.values()) {
      if (d.status !== 'ready' || !d.loaded) continue;
      if (!d.loaded.runner.healthy)
        reasons.push(`${d.name}: a model worker thread died; redeploy, roll back or restart it`);
      else if (d.loaded.batcher.saturated)
        reasons.push(`${d.name}: its queue is full (${d.loaded.batcher.queued} requests)`);
    }
    return { ready: reasons.length === 0, reasons };
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
      name,
      status: d.status,
      version: d.version,
      versions: this.registry.versions(name),
      requests: d.monitor.requests,
      errors: d.monitor.errors,
      alerts: d.monitor.snapshot().alerts.length,
    };
  }

  /** The bytes of the model version `name` serves (or served last, when stopped). */
  activeModel(name: string): Buffer {
    return readFileSync(this.registry.modelPath(name, this.get(name).version));
  }

  /** A deployment's full status. */
  info(name: string): DeploymentInfo {
    const d = this.get(name);
    let meta = d.loaded?.meta;
    if (!meta) {
      try {
        meta = this.registry.meta(name, d.version);
      } catch {
        // A broken entry: its failure says why; the status is still answered.
      }
    }
    const info: DeploymentInfo = { ...this.summary(name), metrics: d.monitor.snapshot(), log: d.log.health() };
    if (meta) info.meta = meta;
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
      let stored: ModelMeta;
      try {
        stored = this.registry.addVersion(name, onnx, meta);
      } catch (error) {
        throw storageError(`Deploying "${name}"`, error);
      }
      const deployment = this.deploymentFor(name, stored.version);
      try {
        await this.load(deployment, stored.version, 'deploy');
      } catch (error) {
        // The state could not be written: take the new version back out, so that nothing changed.
        if (error instanceof ServerError && error.code.startsWith('LEPTON_STORAGE')) {
          try {
            this.registry.removeVersion(name, stored.version);
          } catch {
            // Left as an unused version; `remove({ version })` deletes it later.
          }
        }
        throw error;
      }
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
      // Written first, applied second: on a full disk nothing changes and the version keeps serving.
      try {
        this.registry.setState(name, { active: deployment.version, running: false });
      } catch (error) {
        throw storageError(`Stopping "${name}"`, error);
      }
      const loaded = deployment.loaded;
      deployment.loaded = undefined;
      deployment.status = 'stopped';
      await loaded?.close();
      deployment.log.write('info', 'stop', `Stopped serving version ${deployment.version}.`, {
        version: deployment.version,
      });
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

  /**
   * Removes `version` of `name` from the registry, or, without a version, the whole deployment: it stops serving
   * (requests already queued are answered first), and its versions, state and log are deleted. The registry is
   * changed first; on a failure nothing in memory changes. The version a deployment serves cannot be removed alone.
   */
  remove(name: string, version?: string): Promise<Removal> {
    return this.locked(name, async () => {
      const deployment = this.get(name);
      if (version !== undefined) {
        if (version === deployment.version) throw errors.versionInUse(name, version);
        try {
          this.registry.removeVersion(name, version);
        } catch (error) {
          throw error instanceof ServerError ? error : storageError(`Removing version ${version} of "${name}"`, error);
        }
        deployment.log.write('info', 'remove', `Removed version ${version}.`, { version });
        return { name, removed: [version] };
      }
      const versions = this.registry.versions(name);
      try {
        this.registry.removeModel(name);
      } catch (error) {
        throw storageError(`Removing "${name}"`, error);
      }
      this.deployments.delete(name);
      const loaded = deployment.loaded;
      deployment.loaded = undefined;
      deployment.status = 'stopped';
      await loaded?.close();
      await deployment.log.close();
      rmSync(deployment.log.file, { force: true });
      return { name, removed: versions };
    });
  }

  /** Judges every deployment's alert rules and logs what changed. */
  checkAlerts(): void {
    for (const d of this.deployments.values()) {
      const rules = d.loaded?.meta.alerts;
      if (!rules || Object.keys(rules).length === 0) continue;
      for (const event of d.monitor.checkAlerts(rules)) {
        const { rule, value, threshold } = event.alert;
        d.log.write(
          event.kind === 'raised' ? 'warn' : 'info',
          'alert',
          `Alert ${event.kind}: ${rule} is ${round(value)} (threshold ${threshold}) over the last minute.`,
          { version: d.version, code: `ALERT_${rule}` },
        );
      }
    }
  }

  /** Unloads everything and closes the logs. */
  async close(): Promise<void> {
    if (this.alertTimer) clearInterval(this.alertTimer);
    await Promise.all(
      [...this.deployments.values()].map(async (d) => {
        await d.loaded?.close();
        d.loaded = undefined;
        await d.log.close();
      }),
    );
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
    // Versions written before the queue limits existed lack them: the defaults apply.
    meta.batching = { ...DEFAULT_BATCHING, ...meta.batching };
    let runner;
    try {
      runner = await loadRunner(this.registry.modelPath(deployment.name, version), this.options.workers);
    } catch (error) {
      const message = (error as Error).message;
      if (!deployment.loaded) {
        deployment.status = 'failed';
        deployment.failure = message;
      }
      deployment.log.write('error', event, `Version ${version} failed to load: ${message}`, {
        version,
        code: 'LEPTON_LOAD_FAILED',
      });
      if (event === 'restore') return;
      throw errors.badModel(message);
    }
    // The new version is loaded and its state written before the route flips; on a full disk the previous one keeps serving.
    if (event !== 'restore') {
      try {
        this.registry.setState(deployment.name, { active: version, running: true });
      } catch (error) {
        await runner.close();
        throw storageError(`Serving version ${version} of "${deployment.name}"`, error);
      }
    }
    const previous = deployment.loaded;
    deployment.loaded = new LoadedVersion(meta, runner, deployment.monitor);
    deployment.version = version;
    deployment.status = 'ready';
    deployment.failure = undefined;
    // The old version drains (its queued and running requests are answered) before its sessions close.
    await previous?.close();
    const what =
      { deploy: 'Deployed', rollback: 'Rolled back to', start: 'Started', restore: 'Restored' }[event] ?? event;
    deployment.log.write(
      'info',
      event,
      `${what} version ${version} (${runner.capacity} session${runner.capacity === 1 ? '' : 's'}).`,
      { version },
    );
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
    if (given.transforms !== undefined && !Array.isArray(given.transforms))
      throw errors.badMeta('transforms must be an array of transform JSON objects.');
    const transforms = given.transforms ?? [];
    const missingValues = given.missingValues;
    // Deploy JSON: the type says what it should be, this check what it is.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    if (missingValues !== undefined && missingValues !== 'refuse' && missingValues !== 'nan')
      throw errors.badMeta(
        `missingValues must be "refuse" or "nan" (for a model that routes missing values itself), got ${JSON.stringify(missingValues)}.`,
      );
    // Records are preprocessed by this server (transforms, or features read as they are): refuse at deploy what it could not apply.
    if (transforms.length > 0 || given.features !== undefined)
      modelPreprocessor({ inputs, transforms, features: given.features, missingValues });
    if (transforms.length > 0 && given.rawInput !== undefined)
      throw errors.badMeta('a version preprocesses records (transforms) or a raw input (rawInput), not both.');
    const rawInput = given.rawInput === undefined ? undefined : parseRawInput(given.rawInput, inputs);
    const classes = given.classes === undefined ? undefined : parseClasses(given.classes, outputs);
    if (
      given.metrics !== undefined &&
      (typeof given.metrics !== 'object' || Object.values(given.metrics).some((v) => typeof v !== 'number'))
    ) {
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
      ...(missingValues === undefined ? {} : { missingValues }),
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
