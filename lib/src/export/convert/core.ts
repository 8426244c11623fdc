/**
 * Core layers: `Dense`, `Flatten`, `Reshape`, `Permute`, `RepeatVector`, and the layers that are the identity at
 * inference (`Dropout` and its variants, `GaussianNoise`).
 */
import { attr } from '../../onnx/graph.js';
import { applyActivation } from './activations.js';
import { check, hintOf, onlyInput, weight, type LayerConverter } from './context.js';

/** `Dense`: MatMul on the last axis (any rank), bias Add, activation. */
export const dense: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const kernel = weight(call, 'kernel');
  let y = g.op('MatMul', [onlyInput(call), g.addFloats(`${h}/kernel`, kernel.data, kernel.shape)], {}, h);
  if (call.config['useBias'] !== false) {
    const bias = weight(call, 'bias');
    y = g.op('Add', [y, g.addFloats(`${h}/bias`, bias.data, bias.shape)], {}, h);
  }
  return [applyActivation(call, g, y)];
};

/** Layers that pass their input through at inference. */
export const identity: LayerConverter = (call, g) => [g.op('Identity', [onlyInput(call)], {}, hintOf(call))];

/** `Flatten`: values stay channels-last, so reshaping to [batch, -1] keeps tfjs's (h, w, c) order. */
export const flatten: LayerConverter = (call, g) => {
  const h = hintOf(call);
  return [g.op('Reshape', [onlyInput(call), g.addInt64s(`${h}/shape`, [0, -1])], {}, h)];
};

/** `Reshape`: the target shape after the batch, which is kept (ONNX `0` copies it). */
export const reshape: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const target = call.config['targetShape'] as (number | null)[];
  const shape = target.map((d) => (d === null ? -1 : d));
  check(call, !shape.includes(0), 'a target dimension of 0 is not supported');
  return [g.op('Reshape', [onlyInput(call), g.addInt64s(`${h}/shape`, [0, ...shape])], {}, h)];
};

/** `Permute`: `dims` are 1-based axes after the batch. */
export const permute: LayerConverter = (call, g) => {
  const dims = call.config['dims'] as number[];
  return [g.op('Transpose', [onlyInput(call)], { perm: attr.ints([0, ...dims]) }, hintOf(call))];
};

/** `RepeatVector`: [batch, features] → [batch, n, features]. */
export const repeatVector: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const n = call.config['n'] as number;
  const expanded = g.op('Unsqueeze', [onlyInput(call), g.addInt64s(`${h}/axes`, [1])], {}, h);
  return [g.op('Tile', [expanded, g.addInt64s(`${h}/repeats`, [1, n, 1])], {}, h)];
};
