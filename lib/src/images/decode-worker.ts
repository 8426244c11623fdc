/**
 * The body of one decoding worker thread (started by `decode-pool.ts`): reads each JPEG it is sent at 1/8 scale with
 * `decodeSmallJpeg`, the same synchronous code `decodeImage` runs, and answers its pixels, or none when the file
 * is one sharp must decode (the pool's caller then does, on the main thread's libuv pool).
 */
import { parentPort } from 'node:worker_threads';
import { decodeSmallJpeg } from '@lepton/server/preprocess';
import type { DecodeReply, DecodeRequest } from './decode-pool.js';

// Imported anywhere but in a worker thread (no parent port), this module does nothing.
const port = parentPort;

port?.on('message', ({ id, bytes, spec, maxPixels }: DecodeRequest) => {
  let pixels: Uint8Array | undefined;
  try {
    pixels = decodeSmallJpeg(bytes, spec, maxPixels);
  } catch {
    // Whatever this reader trips on, sharp decides (and names the problem).
    pixels = undefined;
  }
  const reply: DecodeReply = { id, pixels };
  // Hand the pixels over without a copy when they own their buffer (they do, unless they view a larger one).
  port!.postMessage(
    reply,
    pixels && pixels.byteLength === pixels.buffer.byteLength ? [pixels.buffer as ArrayBuffer] : [],
  );
});
