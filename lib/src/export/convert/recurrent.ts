/**
 * Recurrent layers: `LSTM`, `GRU` and `SimpleRNN` as ONNX LSTM/GRU/RNN (forward, sequence-major). tfjs's gate
 * order (LSTM i,f,c,o; GRU z,r,h) is reordered to ONNX's (LSTM i,o,f,c; GRU z,r,h); tfjs's GRU is the
 * reset-before variant, ONNX's `linear_before_reset = 0`. `goBackwards` reverses the input sequence first, which is
 * exactly what tfjs does (its outputs stay in processing order).
 */
import { attr, type AttrValue } from '../../onnx/graph.js';
import { check, hintOf, onlyInput, weight, type LayerCall, type LayerConverter } from './context.js';

/** tfjs activation identifiers as ONNX RNN activations, with the alpha/beta they consume. */
const rnnActivations: Record<string, { name: string; alpha?: number; beta?: number }> = {
  tanh: { name: 'Tanh' },
  sigmoid: { name: 'Sigmoid' },
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  relu: { name: 'Relu' },
  linear: { name: 'Affine', alpha: 1, beta: 0 },
  softsign: { name: 'Softsign' },
  softplus: { name: 'Softplus' },
  elu: { name: 'Elu', alpha: 1 },
};

/** The `activations` attributes for a list of tfjs activation identifiers. */
function activationAttrs(call: LayerCall, identifiers: string[]): Record<string, AttrValue> {
  const acts = identifiers.map((id) => {
    const act = rnnActivations[id];
    check(
      call,
      act !== undefined,
      `activation ${JSON.stringify(id)} is not supported in recurrent layers; supported: ${Object.keys(rnnActivations).join(', ')}`,
    );
    return act;
  });
  const alphas = acts.flatMap((a) => (a.alpha === undefined ? [] : [a.alpha]));
  const betas = acts.flatMap((a) => (a.beta === undefined ? [] : [a.beta]));
  return {
    activations: attr.strings(acts.map((a) => a.name)),
    ...(alphas.length ? { activation_alpha: attr.floats(alphas) } : {}),
    ...(betas.length ? { activation_beta: attr.floats(betas) } : {}),
  };
}

/**
 * A tfjs gate matrix [rows, gates·units] as ONNX's [1, gates·units, rows], gate blocks taken in `order`
 * (ONNX block b is tfjs block `order[b]`).
 */
function gateMatrix(
  data: Float32Array,
  rows: number,
  units: number,
  order: readonly number[],
): { data: Float32Array; shape: number[] } {
  const cols = order.length * units;
  const out = new Float32Array(cols * rows);
  order.forEach((src, b) => {
    for (let j = 0; j < units; j++) {
      for (let r = 0; r < rows; r++) out[(b * units + j) * rows + r] = data[r * cols + src * units + j]!;
    }
  });
  return { data: out, shape: [1, cols, rows] };
}

/** The ONNX bias [1, 2·gates·units]: tfjs's (input) bias, reordered, then zeros for the recurrent bias. */
function gateBias(data: Float32Array | undefined, units: number, order: readonly number[]): Float32Array {
  const n = order.length * units;
  const out = new Float32Array(2 * n);
  if (data) order.forEach((src, b) => out.set(data.subarray(src * units, (src + 1) * units), b * units));
  return out;
}

/** Builds one recurrent op; `order` maps ONNX gate blocks to tfjs ones. */
function recurrent(
  opType: 'LSTM' | 'GRU' | 'RNN',
  order: readonly number[],
  activations: (c: Record<string, unknown>) => string[],
): LayerConverter {
  return (call, g) => {
    const c = call.config;
    check(
      call,
      c['stateful'] !== true,
      'stateful recurrent layers are not supported; rebuild the model with stateful: false',
    );
    check(call, c['resetAfter'] !== true, 'resetAfter is not supported');
    const h = hintOf(call);
    const units = c['units'] as number;
    const kernel = weight(call, 'kernel');
    const recurrentKernel = weight(call, 'recurrent_kernel');
    const w = gateMatrix(kernel.data, kernel.shape[0]!, units, order);
    const r = gateMatrix(recurrentKernel.data, units, units, order);
    const b = gateBias(c['useBias'] === false ? undefined : weight(call, 'bias').data, units, order);
    let x = g.op('Transpose', [onlyInput(call)], { perm: attr.ints([1, 0, 2]) }, h);
    if (c['goBackwards']) {
      const i = (hint: string, v: number) => g.addInt64s(`${h}/${hint}`, [v]);
      x = g.op('Slice', [x, i('starts', -1), i('ends', Number.MIN_SAFE_INTEGER), i('axes', 0), i('steps', -1)], {}, h);
    }
    const inputs = [
      x,
      g.addFloats(`${h}/W`, w.data, w.shape),
      g.addFloats(`${h}/R`, r.data, r.shape),
      g.addFloats(`${h}/B`, b, [1, b.length]),
    ];
    const attrs: Record<string, AttrValue> = { hidden_size: attr.int(units), ...activationAttrs(call, activations(c)) };
    if (opType === 'GRU') attrs['linear_before_reset'] = attr.int(0);
    const outputs = g.addNode(opType, inputs, attrs, { outputs: opType === 'LSTM' ? 3 : 2, hint: h });
    const [y, yh, yc] = outputs as [string, string, string?];
    const squeeze = (v: string, axis: number) => g.op('Squeeze', [v, g.addInt64s(`${h}/axes`, [axis])], {}, h);
    const out = c['returnSequences']
      ? g.op('Transpose', [squeeze(y, 1)], { perm: attr.ints([1, 0, 2]) }, h)
      : squeeze(yh, 0);
    if (!c['returnState']) return [out];
    return [out, squeeze(yh, 0), ...(yc ? [squeeze(yc, 0)] : [])];
  };
}

/** `LSTM`: ONNX gates i, o, f, c from tfjs's i, f, c, o. */
export const lstm = recurrent('LSTM', [0, 3, 1, 2], (c) => [
  (c['recurrentActivation'] as string | null | undefined) ?? 'hardSigmoid',
  (c['activation'] as string | null | undefined) ?? 'tanh',
  (c['activation'] as string | null | undefined) ?? 'tanh',
]);
/** `GRU`: gates z, r, h in both. */
export const gru = recurrent('GRU', [0, 1, 2], (c) => [
  (c['recurrentActivation'] as string | null | undefined) ?? 'hardSigmoid',
  (c['activation'] as string | null | undefined) ?? 'tanh',
]);
/** `SimpleRNN`. */
export const simpleRnn = recurrent('RNN', [0], (c) => [(c['activation'] as string | null | undefined) ?? 'tanh']);
