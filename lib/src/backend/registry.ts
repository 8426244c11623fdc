import * as tf from '@tensorflow/tfjs';

/**
 * tfjs types `getKernel` and `findBackendFactory` as always finding what they look up, but they answer undefined
 * (a kernel) and null (a backend) for a name nobody registered. These lookups say so in their types, so the callers'
 * checks are checks the compiler sees.
 */

/** The kernel registered for `name` on `backend`, or undefined when there is none. */
export function registeredKernel(name: string, backend: string): tf.KernelConfig | undefined {
  return tf.getKernel(name, backend);
}

/** The factory registered for the backend `name`, or null when there is none. */
export function registeredBackendFactory(name: string): (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null {
  return tf.findBackendFactory(name);
}
