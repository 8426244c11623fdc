/**
 * Merge layers of functional models: `Concatenate`, `Add`, `Multiply`, `Average`, `Maximum`, `Minimum`.
 */
import { attr } from '../../onnx/graph.js';
import { hintOf, type LayerConverter } from './context.js';

/** A merge over all inputs with a variadic ONNX op. */
function variadic(opType: 'Sum' | 'Mean' | 'Max' | 'Min'): LayerConverter {
  return (call, g) => [g.op(opType, call.inputs, {}, hintOf(call))];
}

/** `Add`. */
export const add = variadic('Sum');
/** `Average`. */
export const average = variadic('Mean');
/** `Maximum`. */
export const maximum = variadic('Max');
/** `Minimum`. */
export const minimum = variadic('Min');

/** `Multiply`: a chain of binary Muls. */
export const multiply: LayerConverter = (call, g) => {
  const h = hintOf(call);
  let y = call.inputs[0]!;
  for (const x of call.inputs.slice(1)) y = g.op('Mul', [y, x], {}, h);
  return [y];
};

/** `Concatenate` along `axis` (negative axes count from the end, as in tfjs). */
export const concatenate: LayerConverter = (call, g) => {
  const rank = call.inputShapes[0]!.length;
  let axis: number = (call.config['axis'] as number | null | undefined) ?? -1;
  if (axis < 0) axis += rank;
  return [g.op('Concat', call.inputs, { axis: attr.int(axis) }, hintOf(call))];
};
