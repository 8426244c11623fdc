/**
 * The on-disk model registry: `models/<name>/<version>/{model.onnx,meta.json}` plus `models/<name>/state.json`
 * (the active version and whether it runs). A version is written into a hidden staging folder, fsynced, then
 * renamed into place, so a crash mid-deploy never leaves a half-written version visible. Versions are kept.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from './atomic.js';
import { errors } from './errors.js';
import { assertModelName, type ModelMeta } from './meta.js';

/** `state.json`: which version a deployment serves and whether it was running. */
export interface DeploymentState {
  format: 1;
  /** The version served. */
  active: string;
  /** Whether it was serving (restored on start) or stopped. */
  running: boolean;
  /** ISO 8601 time of the last change. */
  updatedAt: string;
}

const VERSION = /^[1-9][0-9]*$/;

/** The registry under one `models/` folder. */
export class Registry {
  /** @param root the `models/` folder (created if missing). */
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  /** Model names with at least one version, sorted. */
  names(): string[] {
    return readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && this.versions(e.name).length > 0)
      .map((e) => e.name)
      .sort();
  }

  /** The versions of `name`, oldest first ([] when none). */
  versions(name: string): string[] {
    const dir = join(this.root, name);
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && VERSION.test(e.name))
      .map((e) => e.name)
      .sort((a, b) => Number(a) - Number(b));
  }

  /** Whether `name` has `version`. */
  has(name: string, version: string): boolean {
    return VERSION.test(version) && existsSync(join(this.root, name, version, 'meta.json'));
  }

  /** The path of a version's `model.onnx`. */
  modelPath(name: string, version: string): string {
    return join(this.root, name, version, 'model.onnx');
  }

  /**
   * A version's metadata. Throws `LEPTON_UNKNOWN_VERSION` when the version does not exist, and
   * `LEPTON_BROKEN_ENTRY` when its folder exists but `meta.json` is missing or unreadable.
   */
  meta(name: string, version: string): ModelMeta {
    if (!VERSION.test(version) || !existsSync(join(this.root, name, version)))
      throw errors.unknownVersion(name, version, this.versions(name));
    let text: string;
    try {
      text = readFileSync(join(this.root, name, version, 'meta.json'), 'utf8');
    } catch (error) {
      throw errors.brokenEntry(
        name,
        `version ${version} has no readable meta.json (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        brokenVersionFix(name, version),
      );
    }
    try {
      // A file on disk: checked for the fields everything else reads before it is trusted as ModelMeta.
      const meta = JSON.parse(text) as Partial<ModelMeta> | null;
      if (!meta || typeof meta !== 'object' || !Array.isArray(meta.inputs) || !Array.isArray(meta.outputs))
        throw new Error('it lacks inputs or outputs');
      return meta as ModelMeta;
    } catch (error) {
      throw errors.brokenEntry(
        name,
        `version ${version}'s meta.json is garbled (${(error as Error).message})`,
        brokenVersionFix(name, version),
      );
    }
  }

  /** The deployment's state, or undefined when none was written or it is unreadable (see `readState`). */
  state(name: string): DeploymentState | undefined {
    const read = this.readState(name);
    return 'state' in read ? read.state : undefined;
  }

  /** The deployment's state; `{ state: undefined }` when none was written, `{ problem }` when it cannot be read. */
  readState(name: string): { state: DeploymentState | undefined } | { problem: string } {
    let text: string;
    try {
      text = readFileSync(join(this.root, name, 'state.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: undefined };
      return { problem: `state.json cannot be read (${(error as Error).message})` };
    }
    try {
      const state = JSON.parse(text) as Partial<DeploymentState> | null;
      if (!state || typeof state.active !== 'string' || typeof state.running !== 'boolean')
        throw new Error('it lacks "active" or "running"');
      return { state: state as DeploymentState };
    } catch (error) {
      return { problem: `state.json is garbled (${(error as Error).message})` };
    }
  }

  /**
   * Removes a version (written first: the folder is renamed out of sight, then deleted; a crash between the two
   * leaves a staging folder that `sweep` removes).
   */
  removeVersion(name: string, version: string): void {
    if (!VERSION.test(version) || !existsSync(join(this.root, name, version)))
      throw errors.unknownVersion(name, version, this.versions(name));
    const dir = join(this.root, name);
    const gone = join(dir, `.staging-removed-${version}-${randomBytes(4).toString('hex')}`);
    renameSync(join(dir, version), gone);
    fsyncDir(dir);
    rmSync(gone, { recursive: true, force: true });
  }

  /** Removes every version and the state of `name`, the same way (renamed out of sight, then deleted). */
  removeModel(name: string): void {
    assertModelName(name);
    const gone = join(this.root, `.removing-${name}-${randomBytes(4).toString('hex')}`);
    renameSync(join(this.root, name), gone);
    fsyncDir(this.root);
    rmSync(gone, { recursive: true, force: true });
  }

  /** Writes the deployment's state atomically. */
  setState(name: string, state: Omit<DeploymentState, 'format' | 'updatedAt'>): DeploymentState {
    const full: DeploymentState = { format: 1, ...state, updatedAt: new Date().toISOString() };
    writeFileAtomic(join(this.root, name, 'state.json'), JSON.stringify(full, null, 2) + '\n');
    return full;
  }

  /**
   * Writes a new version of `name` (the next number) from the model bytes and its metadata, and returns the
   * metadata as stored. The version appears complete or not at all.
   */
  addVersion(name: string, onnx: Uint8Array, meta: Omit<ModelMeta, 'version' | 'name'>): ModelMeta {
    assertModelName(name);
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const last = this.versions(name).at(-1);
    const version = String(last ? Number(last) + 1 : 1);
    const stored: ModelMeta = { ...meta, name, version };
    const staging = join(dir, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(staging, { mode: 0o700 });
    try {
      writeSynced(join(staging, 'model.onnx'), onnx);
      writeSynced(join(staging, 'meta.json'), Buffer.from(JSON.stringify(stored, null, 2) + '\n'));
      fsyncDir(staging);
      renameSync(staging, join(dir, version));
      fsyncDir(dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    return stored;
  }

  /** Removes staging folders and temp files left by a crash. Returns how many were removed. */
  sweep(): number {
    let removed = 0;
    for (const model of readdirSync(this.root, { withFileTypes: true })) {
      if (!model.isDirectory()) continue;
      if (model.name.startsWith('.removing-')) {
        rmSync(join(this.root, model.name), { recursive: true, force: true });
        removed++;
        continue;
      }
      const dir = join(this.root, model.name);
      for (const entry of readdirSync(dir)) {
        if (entry.startsWith('.staging-') || entry.endsWith('.tmp')) {
          rmSync(join(dir, entry), { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}

/** What to do about a version that cannot be read. */
function brokenVersionFix(name: string, version: string): string {
  return `Roll back "${name}" to another version, or remove version ${version} (deployment.remove({ version: '${version}' }) or DELETE /lepton/v1/deployments/${name}/versions/${version}).`;
}

function writeSynced(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
