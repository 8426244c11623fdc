/**
 * Worker threads that read, hash and decode image files for `lepton.read.images`, so that this work runs off the
 * kernel's thread and on every core. A file sent by path is opened, read and hashed (its cache key) on the worker,
 * and read at 1/8 scale there when it is a small baseline JPEG: the kernel's thread then only files the answer in
 * the cache, where its own reads, hashes and per-file libuv calls were half its CPU per cold image. Files already in
 * memory can be sent as bytes (`decodeSmallJpegOffThread`). One worker per core (at most `MAX_WORKERS`), started on
 * first use and kept while the process lives; a worker holds the process open only while it has work. When the
 * workers cannot start or one dies, every file goes back to the caller, which reads and decodes it on its own
 * thread as before: the pool only ever makes loading faster, never different.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ImageSpec } from '@lepton/server/preprocess';

/** Size, channels and fit: what decoding needs besides the bytes. */
type DecodeSpec = Pick<ImageSpec, 'size' | 'channels' | 'fit'>;

/** A file sent to a worker: its bytes (copied), or its path to read (and hash, when `hash`), with the options. */
export type DecodeRequest =
  | { id: number; bytes: Uint8Array; spec: DecodeSpec; maxPixels: number }
  | { id: number; path: string; hash: boolean; spec: DecodeSpec; maxPixels: number };

/** What a worker read of a file sent by path. */
export interface FileRead {
  /** The file's size and modification time, from the descriptor the bytes were read from. */
  size: number;
  mtimeMs: number;
  /** The SHA-256 of the bytes read, hex (`contentKey`), when asked. */
  key: string | undefined;
  /** The pixels, when the worker decoded the file (a small baseline JPEG). */
  pixels: Uint8Array | undefined;
  /** The bytes read, when it did not: the caller decodes them with sharp. */
  bytes: Uint8Array | undefined;
}

/** A worker's answer: the pixels (or undefined when sharp must decode the file), and for a path what was read. */
export interface DecodeReply {
  id: number;
  pixels: Uint8Array | undefined;
  /** For a request by path: what was read, or undefined when the file could not be read (the caller reads it). */
  file?: FileRead | undefined;
}

/** More workers than this only add start-up time and memory: the main thread's cache work bounds the rate. */
export const MAX_WORKERS = 4;

/**
 * Requests go to a worker in messages of up to this many, and come back so: a message costs each side more than
 * a small file's read and hash (a worker spent ~15% of its time in `postMessage` with one file a message). Small, so
 * that a worker has a second batch queued while the caller files the answers of the first (with the caller's 16
 * files in flight, two batches a worker).
 */
export const MAX_BATCH = 4;

/** Each worker's young generation, in MB (see `startWorker`). */
const WORKER_YOUNG_GENERATION_MB = 4;

interface PoolWorker {
  worker: Worker;
  /** Requests sent and not answered, by id. */
  pending: Map<number, (reply: DecodeReply | undefined) => void>;
  /** Requests not posted yet: posted together when `MAX_BATCH` are waiting or this turn of the event loop ends. */
  outbox: DecodeRequest[];
}

let workers: PoolWorker[] | undefined;
/** Set when a worker failed to start or died: the pool then answers every file with undefined. */
let broken = false;
let nextId = 0;
/** Whether a `postOutboxes` is scheduled. */
let postScheduled = false;

function startWorker(): PoolWorker {
  // No flags of the main process: some (`--input-type`, `--eval`'s) stop a worker from loading its file at all.
  // A small young generation: a worker's garbage is per-file scraps (stats, keys, planes), and V8's default let
  // each worker's grow to tens of MB over a cold dataset (peak RSS of 10,000 files 350–375 MB; 305–320 MB at 4).
  const worker = new Worker(new URL('./decode-worker.js', import.meta.url), {
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const entry: PoolWorker = { worker, pending: new Map(), outbox: [] };
  worker.on('message', (replies: DecodeReply[]) => {
    for (const reply of replies) {
      const done = entry.pending.get(reply.id);
      entry.pending.delete(reply.id);
      done?.(reply);
    }
    if (entry.pending.size === 0) worker.unref();
  });
  const fail = () => {
    broken = true;
    worker.unref();
    for (const done of entry.pending.values()) done(undefined);
    entry.pending.clear();
    entry.outbox = [];
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  // Idle workers must not keep a finished notebook or script alive (after the listeners: adding one refs again).
  worker.unref();
  return entry;
}

/** Sends `request` (given its id here) to the least busy worker; undefined when no worker runs. */
function send(request: DecodeRequest): Promise<DecodeReply | undefined> {
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
  request.id = nextId++;
  return new Promise((done) => {
    if (chosen.pending.size === 0) chosen.worker.ref();
    chosen.pending.set(request.id, done);
    chosen.outbox.push(request);
    if (chosen.outbox.length >= MAX_BATCH) post(chosen);
    else if (!postScheduled) {
      // After this turn's callbacks: the answers of one batch start the next files together, in one message.
      postScheduled = true;
      setImmediate(postOutboxes);
    }
  });
}

/** Posts `entry`'s waiting requests as one message. */
function post(entry: PoolWorker): void {
  if (entry.outbox.length === 0) return;
  const batch = entry.outbox;
  entry.outbox = [];
  entry.worker.postMessage(batch);
}

function postOutboxes(): void {
  postScheduled = false;
  for (const entry of workers ?? []) post(entry);
}

/**
 * The pixels of a JPEG read at 1/8 scale on a worker thread (`decodeSmallJpeg`), or undefined when the caller
 * must decode `bytes` itself with `decodeImage`: the file is no JPEG the reader knows, or no worker runs.
 */
export async function decodeSmallJpegOffThread(
  bytes: Uint8Array,
  spec: DecodeSpec,
  maxPixels: number,
): Promise<Uint8Array | undefined> {
  return (await send({ id: 0, bytes, spec: plainSpec(spec), maxPixels }))?.pixels;
}

/**
 * Reads the file at `path` on a worker thread: its size and mtime, its content key (when `hash`), and its pixels
 * when it is a small JPEG the 1/8-scale reader decodes (`decodeSmallJpeg`), else its bytes. Undefined when no
 * worker runs or the file could not be read: the caller then reads it itself (and meets the error, if any).
 */
export async function readFileOffThread(
  path: string,
  hash: boolean,
  spec: DecodeSpec,
  maxPixels: number,
): Promise<FileRead | undefined> {
  return (await send({ id: 0, path, hash, spec: plainSpec(spec), maxPixels }))?.file;
}

/** The plain spec made for each caller's spec object (a dataset passes the same one for every file). */
const plainSpecs = new WeakMap<DecodeSpec, DecodeSpec>();

/**
 * Only the fields decoding reads (a caller's spec may carry more, and each field is copied to the worker), as one
 * object per caller's spec: the structured clone writes an object met again in the same message as a back-reference,
 * so a batch carries its spec once, not once per file (posting 10,000 requests: 22 → 19 ms of CPU, both sides).
 */
function plainSpec(spec: DecodeSpec): DecodeSpec {
  let plain = plainSpecs.get(spec);
  if (plain === undefined) {
    plain = { size: spec.size, channels: spec.channels, fit: spec.fit };
    plainSpecs.set(spec, plain);
  }
  return plain;
}
