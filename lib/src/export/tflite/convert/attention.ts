/**
 * Lepton's own transformer layers (`lepton.models.transformer`) in TFLite builtins, no Flex ops:
 * `LeptonPositionEmbedding` as an ADD of its [steps, dModel] table (broadcast over the batch), and
 * `LeptonSelfAttention` as the layer's `call()` computes it — FULLY_CONNECTED projections, RESHAPE/TRANSPOSE to
 * [batch, heads, steps, dHead], BATCH_MATMUL for q·kᵀ and for the weighted sum of v, SOFTMAX, the heads joined back
 * and projected by wo. Every op has an int8 kernel, so full-integer files keep attention in integers.
 */
import { check, transposeData, weight } from '../../convert/context.js';
import type { TfliteGraph } from '../graph.js';
import { Op, opt } from '../options.js';
import { onlyTensor, outShape, reshapeTo, type TfliteCall, type TfliteConverter } from './context.js';

/** `LeptonPositionEmbedding`: x + positions. */
export const positionEmbedding: TfliteConverter = (call, g) => {
  const table = weight(call, 'positions');
  const h = call.layer.name;
  return [
    g.op(Op.ADD, [onlyTensor(call), g.floats(`${h}/positions`, table.data, table.shape)], outShape(call), h, opt.add()),
  ];
};

/** x·w over the last axis as FULLY_CONNECTED (w stored [out, in]; a zero bias, which the int8 kernels want). */
function project(call: TfliteCall, g: TfliteGraph, x: number, name: string, shape: (number | null)[]): number {
  const w = weight(call, name);
  const t = transposeData(w.data, w.shape, [1, 0]);
  const h = `${call.layer.name}/${name}`;
  const kernel = g.floats(h, t.data, t.shape);
  const bias = g.floats(`${h}/bias`, new Float32Array(t.shape[0]!), [t.shape[0]!]);
  return g.op(Op.FULLY_CONNECTED, [x, kernel, bias], shape, h, opt.fullyConnected({ keepNumDims: true }));
}

/** A TRANSPOSE by `perm`. */
function transpose(g: TfliteGraph, x: number, perm: number[], shape: (number | null)[], hint: string): number {
  return g.op(Op.TRANSPOSE, [x, g.ints(`${hint}/perm`, perm)], shape, hint, opt.transpose());
}

/** `LeptonSelfAttention`: softmax(q·kᵀ / √dHead)·v per head, the heads joined and projected by wo. */
export const selfAttention: TfliteConverter = (call, g) => {
  const heads = call.config['heads'] as number;
  const dModel = call.config['dModel'] as number;
  check(
    call,
    Number.isInteger(heads) && Number.isInteger(dModel) && heads > 0 && dModel % heads === 0,
    `heads (${heads}) must divide dModel (${dModel})`,
  );
  const [batch, steps, width] = call.inputShapes[0]! as [null, number | null, number];
  check(call, steps !== null, 'a free number of steps is not supported; give the input a fixed length');
  check(call, width === dModel, `its input has ${width} features but dModel is ${dModel}`);
  const dHead = dModel / heads;
  const h = call.layer.name;
  const x = onlyTensor(call);
  const seq: (number | null)[] = [batch, steps, dModel];
  const split: (number | null)[] = [batch, steps, heads, dHead];
  const perHead: (number | null)[] = [batch, heads, steps, dHead];
  const headsOf = (name: string) =>
    transpose(
      g,
      reshapeTo(g, project(call, g, x, name, seq), split, `${h}/${name}`),
      [0, 2, 1, 3],
      perHead,
      `${h}/${name}`,
    );
  const q = headsOf('wq');
  const k = headsOf('wk');
  const v = headsOf('wv');
  const scores = g.op(
    Op.BATCH_MATMUL,
    [q, k],
    [batch, heads, steps, steps],
    `${h}/scores`,
    opt.batchMatmul({ adjY: true }),
  );
  // SOFTMAX's beta scales its input: softmax(scores / √dHead) in one op (and one int8 kernel).
  const weights = g.op(
    Op.SOFTMAX,
    [scores],
    [batch, heads, steps, steps],
    `${h}/weights`,
    opt.softmax({ beta: 1 / Math.sqrt(dHead) }),
  );
  const attended = g.op(Op.BATCH_MATMUL, [weights, v], perHead, `${h}/attended`, opt.batchMatmul());
  const joined = reshapeTo(g, transpose(g, attended, [0, 2, 1, 3], split, `${h}/join`), seq, `${h}/join`);
  return [project(call, g, joined, 'wo', outShape(call))];
};
