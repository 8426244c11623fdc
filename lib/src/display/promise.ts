import { setImmediate as nextTask } from 'node:timers/promises';
import { plainText, toMimeBundle, type MimeBundle } from './mime.js';

/**
 * The bundle of a Promise a cell left as its last value (e.g. `lepton.backend()` without `await`): `Promise {
 * <pending> }`, `Promise { <rejected> … }`, or `Promise { value }` with the value's rich types beside, so a chart
 * whose `await` was forgotten still shows. A promise that settles within the current task counts as settled.
 */
export async function promiseBundle(promise: Promise<unknown>): Promise<MimeBundle> {
  let settled: { value: unknown } | { reason: unknown } | undefined;
  promise.then(
    (value) => (settled = { value }),
    (reason: unknown) => (settled = { reason }),
  );
  // Runs after every microtask queued so far: a promise already resolved has reported by then.
  await nextTask();
  if (!settled) return { 'text/plain': 'Promise { <pending> }' };
  if ('reason' in settled) return { 'text/plain': `Promise { <rejected> ${plainText(settled.reason)} }` };
  const bundle = toMimeBundle(settled.value);
  return { ...bundle, 'text/plain': `Promise { ${String(bundle['text/plain'])} }` };
}
