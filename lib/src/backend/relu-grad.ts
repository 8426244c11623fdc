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

/**
 * The kernel computing ReLU's gradient and its sum over all but the last axis in one pass on the wasm backend:
 * inputs `dy` and `x`, outputs dy · step(x) and that summed per channel (a bias's gradient).
 */
export const reluGradSumsKernelName = 'LeptonReluGradSums';

/**
 * ReLU's gradient and its sum over every axis but the last (the gradient of a bias added before the ReLU): on wasm
 * one SIMD pass writing the one and accumulating the other (channels a multiple of 4), else `reluGrad` and `tf.sum`.
 * The sums are added row after row as Lepton's `Sum` over leading axes adds them, so the numbers are the same.
 * Why: the separate `Sum` reads the whole gradient again (1.4 MB for the first convolution of a small MNIST CNN at a
 * batch of 64), from memory, since it no longer fits the cache.
 * @param dy the gradient flowing back
 * @param x ReLU's input (or its output: the mask is the same)
 * @returns [the gradient, its per-channel sum]
 */
export function reluGradWithSums(dy: tf.Tensor, x: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const channels = x.shape[x.rank - 1] ?? 0;
  if (fusable(dy, x) && x.rank >= 2 && channels % 4 === 0 && channels > 0)
    return tf.engine().runKernel(reluGradSumsKernelName, { dy, x }) as unknown as [tf.Tensor, tf.Tensor];
  const masked = reluGrad(dy, x);
  return [masked, tf.sum(masked, [...Array(x.rank - 1).keys()])];
}

/** The wasm kernel of ReLU's gradient (inputs `dy`, `x`), with its per-channel sums as a second output or without. */
function reluGradKernel(withSums: boolean): tf.KernelFunc {
  return (({ inputs, backend }: { inputs: { dy: tf.TensorInfo; x: tf.TensorInfo }; backend: tf.KernelBackend }) => {
    const heap = backend as unknown as HeapBackend;
    const { dy, x } = inputs;
    const out = heap.makeOutput(x.shape, 'float32');
    const bytes = tf.util.sizeFromShape(x.shape) * 4;
    const loops = loopsOf(backend)!;
    if (!withSums) {
      loops.reluGrad(address(backend, dy), address(backend, x), address(backend, out), bytes);
      return out;
    }
    const channels = x.shape[x.shape.length - 1]!;
    const sums = heap.makeOutput([channels], 'float32');
    heap.typedArrayFromHeap(sums).fill(0);
    // Addresses after the last makeOutput: allocating may grow the heap.
    const [dyAt, xAt, outAt] = [address(backend, dy), address(backend, x), address(backend, out)];
    loops.reluGradColumnSums(dyAt, xAt, outAt, bytes, address(backend, sums), channels * 4);
    return [out, sums];
  }) as unknown as tf.KernelFunc;
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
  tf.registerKernel({ kernelName: reluGradKernelName, backendName: 'wasm', kernelFunc: reluGradKernel(false) });
  tf.registerKernel({ kernelName: reluGradSumsKernelName, backendName: 'wasm', kernelFunc: reluGradKernel(true) });
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
  // Both outputs are linear in dy under the same mask: the sums' gradient spreads over every row first.
  tf.registerGradient({
    kernelName: reluGradSumsKernelName,
    inputsToSave: ['x'],
    gradFunc: (gradients, saved) => {
      const [x] = saved;
      const [gOut, gSums] = gradients as tf.Tensor[];
      return { dy: () => reluGrad(tf.add(gOut!, gSums!), x!), x: () => tf.zerosLike(x!) };
    },
  });
}
