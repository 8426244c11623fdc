/**
 * The body of one decoding worker thread (started by `decode-pool.ts`). A file sent by path is opened, read and
 * hashed here, with synchronous calls (this thread has nothing else to do, and each libuv round trip costs the
 * kernel's thread more than the call itself); a small JPEG is then read at 1/8 scale with `decodeSmallJpeg`, the
 * same synchronous code `decodeImage` runs. The answer holds the pixels, or the bytes when the file is one sharp
 * must decode (the pool's caller then does, on the main thread's libuv pool).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { decodeSmallJpeg, SMALL_JPEG_BYTES } from '@lepton/server/preprocess';
import { contentKey } from './cache.js';
import type { DecodeReply, DecodeRequest, FileRead } from './decode-pool.js';

// Imported anywhere but in a worker thread (no parent port), this module does nothing.
const port = parentPort;

/** `decodeSmallJpeg`, or undefined for whatever this reader trips on: sharp decides (and names the problem). */
function tryDecode(bytes: Uint8Array, request: DecodeRequest): Uint8Array | undefined {
  try {
    return decodeSmallJpeg(bytes, request.spec, request.maxPixels);
  } catch {
    return undefined;
  }
}

/**
 * The buffer files up to `SMALL_JPEG_BYTES` are read into, reused from file to file: a fresh buffer per file was
 * 10,000 short-lived 8 KB ArrayBuffers per cold dataset, outside the heap, which the worker's rare collections left
 * standing (+80 MB of peak memory).
 */
const scratch = new Uint8Array(SMALL_JPEG_BYTES + 1);

/**
 * A file's size, mtime and bytes, all from one descriptor; a small file's bytes view `scratch` (valid until the next
 * read).
 * Reads one byte more than the size: a file that grew or shrank since the stat (or a short read) is read again
 * whole, and keyed by the bytes then read.
 */
function readWhole(path: string): { size: number; mtimeMs: number; bytes: Uint8Array } {
  const fd = openSync(path, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    // A larger file (sharp decodes it) gets a buffer of its own: the worker keeps no memory sized by its largest file.
    const buffer = size < scratch.length ? scratch : new Uint8Array(size + 1);
    const bytesRead = readSync(fd, buffer, 0, size + 1, 0);
    const bytes = bytesRead === size ? buffer.subarray(0, size) : new Uint8Array(readFileSync(path));
    return { size, mtimeMs, bytes };
  } finally {
    closeSync(fd);
  }
}

/** What the request asks: a file read by path (undefined when it cannot be read), or the pixels of sent bytes. */
function answer(request: DecodeRequest): { reply: DecodeReply; transfer: ArrayBuffer[] } {
  if ('bytes' in request) return { reply: { id: request.id, pixels: tryDecode(request.bytes, request) }, transfer: [] };
  let read: { size: number; mtimeMs: number; bytes: Uint8Array };
  try {
    read = readWhole(request.path);
  } catch {
    // The caller reads it again on its thread, and reports the error as it always has.
    return { reply: { id: request.id, pixels: undefined, file: undefined }, transfer: [] };
  }
  const pixels = tryDecode(read.bytes, request);
  const file: FileRead = {
    size: read.size,
    mtimeMs: read.mtimeMs,
    key: request.hash ? contentKey(read.bytes) : undefined,
    pixels,
    // Bytes that view `scratch` (read into again next time) are copied, to a buffer of their own moved to the caller.
    bytes: pixels ? undefined : read.bytes.buffer === scratch.buffer ? read.bytes.slice() : read.bytes,
  };
  // The pixels (a few KB) are copied into the message, not moved: moving a buffer detaches it, and the first
  // buffer a thread detaches makes V8 throw away every optimised function that reads typed arrays (they were
  // compiled assuming none ever is), the 1/8 reader's block loop among them: one more compilation of it per worker,
  // ~50–100 ms of a helper thread. Bytes for sharp (a file this reader leaves to it, rare, and ~1.5 ms of sharp's
  // CPU anyway) move whole: they never view `scratch` here (the view keeps its length on the other side).
  return { reply: { id: request.id, pixels, file }, transfer: pixels ? [] : [file.bytes!.buffer as ArrayBuffer] };
}

// A batch of requests (see `MAX_BATCH`) is answered in one message.
port?.on('message', (batch: DecodeRequest[]) => {
  const replies: DecodeReply[] = [];
  const transfers: ArrayBuffer[] = [];
  for (const request of batch) {
    const { reply, transfer } = answer(request);
    replies.push(reply);
    transfers.push(...transfer);
  }
  port.postMessage(replies, transfers);
});
