/**
 * Lepton's own transformer layers (`lepton.models.transformer`): `LeptonPositionEmbedding` (a learned table added
 * to the token embeddings) and `LeptonSelfAttention` (multi-head scaled dot-product self-attention, the heads
 * split by Reshape/Transpose as the layer's `call()` does, so the exported graph computes the same sums).
 */
import { attr } from '../../onnx/graph.js';
import { check, hintOf, onlyInput, weight, type LayerConverter } from './context.js';

/** `LeptonPositionEmbedding`: x + positions, the [steps, dModel] table broadcast over the batch. */
export const positionEmbedding: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const table = weight(call, 'positions');
  return [g.op('Add', [onlyInput(call), g.addFloats(`${h}/positions`, table.data, table.shape)], {}, h)];
};

/** `LeptonSelfAttention`: softmax(q·kᵀ / √dHead)·v per head, the heads joined and projected by wo. */
export const selfAttention: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const heads = call.config['heads'] as number;
  const dModel = call.config['dModel'] as number;
  check(
    call,
    Number.isInteger(heads) && Number.isInteger(dModel) && heads > 0 && dModel % heads === 0,
    `heads (${heads}) must divide dModel (${dModel})`,
  );
  const dHead = dModel / heads;
  const x = onlyInput(call);
  const matrix = (name: string) => {
    const w = weight(call, name);
    return g.addFloats(`${h}/${name}`, w.data, w.shape);
  };
  // Reshape's 0 copies the input's size on that axis: batch and steps stay whatever they are at run time.
  const splitShape = g.addInitializer(
    `${h}/split_shape`,
    BigInt64Array.from([0n, 0n, BigInt(heads), BigInt(dHead)]),
    [4],
  );
  const joinShape = g.addInitializer(`${h}/join_shape`, BigInt64Array.from([0n, 0n, BigInt(dModel)]), [3]);
  const project = (name: string, perm: number[]) => {
    const projected = g.op('MatMul', [x, matrix(name)], {}, h);
    return g.op('Transpose', [g.op('Reshape', [projected, splitShape], {}, h)], { perm: attr.ints(perm) }, h);
  };
  const q = project('wq', [0, 2, 1, 3]); // [batch, heads, steps, dHead]
  const kT = project('wk', [0, 2, 3, 1]); // [batch, heads, dHead, steps]
  const v = project('wv', [0, 2, 1, 3]);
  const scores = g.op(
    'Div',
    [g.op('MatMul', [q, kT], {}, h), g.addFloats(`${h}/scale`, [Math.sqrt(dHead)], [])],
    {},
    h,
  );
  const weights = g.op('Softmax', [scores], { axis: attr.int(-1) }, h);
  const attended = g.op('Transpose', [g.op('MatMul', [weights, v], {}, h)], { perm: attr.ints([0, 2, 1, 3]) }, h);
  return [g.op('MatMul', [g.op('Reshape', [attended, joinShape], {}, h), matrix('wo')], {}, h)];
};
