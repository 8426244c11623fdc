import * as tf from '@tensorflow/tfjs';
import './cpu-cast.js';

/**
 * The cpu backend prints a "Hi, looks like you are running TensorFlow.js in Node.js" banner on its first write;
 * Lepton chooses backends itself (see `lepton.backend()`), so the banner only misleads notebook users.
 */
export function silenceNodeBanner(): void {
  const cpu = tf.findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/** TensorFlow.js without its Node.js banner: what the kernel preloads as `tf`. */
export function quietTf(): typeof tf {
  // Backends are created on first use (a later first use would create a fresh, noisy instance): create the
  // default one now, so that the instance whose banner flag is cleared is the one in use.
  tf.backend();
  silenceNodeBanner();
  return tf;
}
