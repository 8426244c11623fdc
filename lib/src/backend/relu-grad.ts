import * as tf from '@tensorflow/tfjs';
import { address, loopsOf, type HeapBackend } from './heap.js';

/** The kernel computing ReLU's gradient in one pass on the wasm backend: inputs `dy` and `x`, output dy · step(x). */
export const reluGradKernelName = 'LeptonReluGrad';

/** Whether the one-pass kernel can take this pair: wasm with SIMD, both float32, same shape. */
function fusable(dy: tf.Tensor, x: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'wasm' &&
    dy.dtype === 'float32' &&
    x.dtype === 'float32' &&
    tf.util.arraysEqual(dy.shape, x.shape) &&
    loopsOf(tf.backend()) !== null
  );
}

/**
 * ReLU's gradient, dy · step(x): one SIMD pass on wasm, else tfjs's own formula (step, cast, multiply).
 * @param dy the gradient flowing back
 * @param x ReLU's input
 */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (fusable(dy, x)) return tf.engine().runKernel<tf.Tensor>(reluGradKernelName, { dy, x });
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

let installed = false;

/**
 * Registers the one-pass ReLU gradient: the wasm kernel, and a gradient for `Relu` that calls it (falling back to
 * tfjs's formula on other backends, so the numbers are tfjs's everywhere). Every conv and dense layer with
 * `activation: 'relu'` trains through it, since tfjs does not fuse the activation while recording gradients.
 * Called once, with Lepton's other wasm training kernels.
 */
export function installReluGrad(): void {
  if (installed) return;
  installed = true;
  tf.registerKernel({
    kernelName: reluGradKernelName,
    backendName: 'wasm',
    kernelFunc: (({
      inputs,
      backend,
    }: {
      inputs: { dy: tf.TensorInfo; x: tf.TensorInfo };
      backend: tf.KernelBackend;
    }) => {
      const heap = backend as unknown as HeapBackend;
      const out = heap.makeOutput(inputs.x.shape, 'float32');
      loopsOf(backend)!.reluGrad(
        address(backend, inputs.dy),
        address(backend, inputs.x),
        address(backend, out),
        tf.util.sizeFromShape(inputs.x.shape) * 4,
      );
      return out;
    }) as unknown as tf.KernelFunc,
  });
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => reluGrad(dy as tf.Tensor, x!) };
    },
  });
  // Its own gradient (a second derivative through ReLU): linear in dy with the same mask, zero in x.
  tf.registerGradient({
    kernelName: reluGradKernelName,
    inputsToSave: ['x'],
    gradFunc: (g, saved) => {
      const [x] = saved;
      return { dy: () => reluGrad(g as tf.Tensor, x!), x: () => tf.zerosLike(x!) };
    },
  });
}
