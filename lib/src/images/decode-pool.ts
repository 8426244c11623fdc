/**
 * Worker threads that read JPEG files at 1/8 scale for `lepton.read.images`, so that decoding runs off the
 * kernel's thread and on every core: the JavaScript reader costs ~0.2 ms a 256×256 file, which on the kernel's
 * thread was half its CPU per cold image and left the second core idle. One worker per core (at most
 * `MAX_WORKERS`), started on first use and kept while the process lives; a worker holds the process open only
 * while it has work. When the workers cannot start or one dies, every file goes back to the caller, which decodes
 * it with `decodeImage` as before: the pool only ever makes decoding faster, never different.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ImageSpec } from '@lepton/server/preprocess';

/** A file sent to a worker: its bytes (copied), the decoding options and the bomb limit. */
export interface DecodeRequest {
  id: number;
  bytes: Uint8Array;
  spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>;
  maxPixels: number;
}

/** A worker's answer: the pixels, or undefined when sharp must decode the file. */
export interface DecodeReply {
  id: number;
  pixels: Uint8Array | undefined;
}

/** More workers than this only add start-up time and memory: the main thread's reads and hashing bound the rate. */
export const MAX_WORKERS = 4;

interface PoolWorker {
  worker: Worker;
  /** Requests sent and not answered, by id. */
  pending: Map<number, (pixels: Uint8Array | undefined) => void>;
}

let workers: PoolWorker[] | undefined;
/** Set when a worker failed to start or died: the pool then answers every file with undefined. */
let broken = false;
let nextId = 0;

function startWorker(): PoolWorker {
  // No flags of the main process: some (`--input-type`, `--eval`'s) stop a worker from loading its file at all.
  const worker = new Worker(new URL('./decode-worker.js', import.meta.url), { execArgv: [] });
  const entry: PoolWorker = { worker, pending: new Map() };
  worker.on('message', ({ id, pixels }: DecodeReply) => {
    const done = entry.pending.get(id);
    entry.pending.delete(id);
    if (entry.pending.size === 0) worker.unref();
    done?.(pixels);
  });
  const fail = () => {
    broken = true;
    worker.unref();
    for (const done of entry.pending.values()) done(undefined);
    entry.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  // Idle workers must not keep a finished notebook or script alive (after the listeners: adding one refs again).
  worker.unref();
  return entry;
}

/**
 * The pixels of a JPEG read at 1/8 scale on a worker thread (`decodeSmallJpeg`), or undefined when the caller
 * must decode `bytes` itself with `decodeImage`: the file is no JPEG the reader knows, or no worker runs.
 */
export function decodeSmallJpegOffThread(
  bytes: Uint8Array,
  spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>,
  maxPixels: number,
): Promise<Uint8Array | undefined> {
  if (broken) return Promise.resolve(undefined);
  try {
    workers ??= Array.from({ length: Math.max(1, Math.min(MAX_WORKERS, availableParallelism())) }, startWorker);
  } catch {
    broken = true;
    return Promise.resolve(undefined);
  }
  // The least busy worker: files differ in size, so round robin would queue behind a slow one.
  let chosen = workers[0]!;
  for (const candidate of workers) if (candidate.pending.size < chosen.pending.size) chosen = candidate;
  const id = nextId++;
  return new Promise((done) => {
    if (chosen.pending.size === 0) chosen.worker.ref();
    chosen.pending.set(id, done);
    const request: DecodeRequest = {
      id,
      bytes,
      spec: { size: spec.size, channels: spec.channels, fit: spec.fit },
      maxPixels,
    };
    chosen.worker.postMessage(request);
  });
}
