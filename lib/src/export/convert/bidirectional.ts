/**
 * `Bidirectional` around a recurrent layer: its forward and backward layers converted as the recurrent layers they
 * are (the backward one has `goBackwards`, so it reads the sequence reversed), the backward sequence put back in
 * time order as tfjs does, and the two merged by `mergeMode`.
 */
import type * as tf from '@tensorflow/tfjs';
import { attr, type OnnxGraph } from '../../onnx/graph.js';
import { check, hintOf, weightsOf, type LayerCall, type LayerConverter } from './context.js';
import * as rnn from './recurrent.js';

const cells: Record<string, LayerConverter> = { LSTM: rnn.lstm, GRU: rnn.gru, SimpleRNN: rnn.simpleRnn };

/** The halves of a Bidirectional layer (tfjs keeps them private). */
interface Halves {
  forwardLayer: tf.layers.Layer;
  backwardLayer: tf.layers.Layer;
}

/** `Bidirectional` with mergeMode concat (tfjs's default), sum, mul or ave. */
export const bidirectional: LayerConverter = (call, g) => {
  const c = call.config;
  const mode = (c['mergeMode'] as string | null | undefined) ?? 'concat';
  check(
    call,
    ['concat', 'sum', 'mul', 'ave'].includes(mode),
    `mergeMode ${JSON.stringify(mode)} is not supported; use 'concat', 'sum', 'mul' or 'ave'`,
  );
  const { forwardLayer, backwardLayer } = call.layer as unknown as Halves;
  const half = (layer: tf.layers.Layer): string => {
    const className = layer.getClassName();
    const convert = cells[className];
    check(call, convert !== undefined, `wraps a ${className}; Bidirectional exports around LSTM, GRU or SimpleRNN`);
    const config = layer.getConfig() as Record<string, unknown>;
    check(call, config['returnState'] !== true, 'returnState is not supported in Bidirectional');
    const sub: LayerCall = { ...call, layer, className, config, weights: weightsOf(layer) };
    return convert(sub, g)[0]!;
  };
  const h = hintOf(call);
  const forward = half(forwardLayer);
  let backward = half(backwardLayer);
  if ((backwardLayer.getConfig() as Record<string, unknown>)['returnSequences']) backward = reverseTime(g, backward, h);
  if (mode === 'concat') return [g.op('Concat', [forward, backward], { axis: attr.int(-1) }, h)];
  if (mode === 'sum') return [g.op('Add', [forward, backward], {}, h)];
  if (mode === 'mul') return [g.op('Mul', [forward, backward], {}, h)];
  return [g.op('Mul', [g.op('Add', [forward, backward], {}, h), g.addFloats(`${h}/half`, [0.5], [])], {}, h)];
};

/** A [batch, steps, units] sequence reversed along its steps. */
function reverseTime(g: OnnxGraph, value: string, h: string): string {
  const i = (hint: string, v: number) => g.addInt64s(`${h}/${hint}`, [v]);
  return g.op(
    'Slice',
    [value, i('starts', -1), i('ends', Number.MIN_SAFE_INTEGER), i('axes', 1), i('steps', -1)],
    {},
    h,
  );
}
