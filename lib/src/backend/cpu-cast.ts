import * as tf from '@tensorflow/tfjs';
import { registeredKernel } from './registry.js';

/** The cpu backend's methods this fix uses (public on tfjs's MathBackendCPU). */
interface CpuBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

const fixed = Symbol.for('lepton.cpuCastFixed');

/**
 * tfjs's cpu `Cast` from int32 (or bool) to float32 keeps the integer array under the float32 dtype. Read on cpu
 * that is harmless, but when the tensor later moves to another backend (Lepton switches to wasm on the first
 * `lepton.fit`), its bytes are copied as they are and the integers become tiny floats: labels made with
 * `.toFloat()` before the switch silently train as zeros. This replaces that case with a real float32 copy;
 * every other cast goes to the original kernel.
 */
export function fixCpuCast(): void {
  const original = registeredKernel('Cast', 'cpu');
  if (!original || (original as unknown as Record<symbol, boolean>)[fixed]) return;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype;
    if (dtype === 'float32' && (x.dtype === 'int32' || x.dtype === 'bool')) {
      const cpu = args.backend as unknown as CpuBackend;
      return cpu.makeTensorInfo(x.shape, 'float32', Float32Array.from(cpu.readSync(x.dataId)));
    }
    return original.kernelFunc(args);
  };
  tf.unregisterKernel('Cast', 'cpu');
  tf.registerKernel({ ...original, kernelFunc, [fixed]: true } as tf.KernelConfig);
}

fixCpuCast();
