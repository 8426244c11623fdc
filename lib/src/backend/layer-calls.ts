import * as tf from '@tensorflow/tfjs';

/** A layer's `call` as tfjs-layers defines it (not typed publicly). */
export type LayerCall = (inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** The layers whose `call` is already wrapped here. */
const wrapped = new WeakSet();

/**
 * Routes `layer`'s `call` through `replacement`, which receives the layer's own `call` for the inputs it does not
 * take; done once per layer (a second wrap is ignored), so training a model again does not stack wrappers. Only
 * `call` changes: the layer's class, weights, configuration and serialization stay tfjs's.
 * @param layer any tfjs layer
 * @param replacement makes the new `call` from the stock one
 * @returns the same layer
 */
export function wrapCall<L extends tf.layers.Layer>(layer: L, replacement: (stock: LayerCall) => LayerCall): L {
  if (wrapped.has(layer)) return layer;
  wrapped.add(layer);
  const parts = layer as unknown as { call: LayerCall };
  parts.call = replacement(parts.call.bind(layer));
  return layer;
}

/**
 * Hands every layer of `model` that `accepts` (nested models searched too) to `fuse`.
 * @returns how many layers were handed over
 */
export function fuseLayers(
  model: tf.LayersModel,
  accepts: (layer: tf.layers.Layer) => boolean,
  fuse: (layer: tf.layers.Layer) => unknown,
): number {
  let count = 0;
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) count += fuseLayers(layer, accepts, fuse);
    else if (accepts(layer)) {
      fuse(layer);
      count++;
    }
  }
  return count;
}
