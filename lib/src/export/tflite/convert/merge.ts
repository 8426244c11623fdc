/**
 * Merge layers: `Concatenate` as CONCATENATION, `Add`/`Multiply`/`Maximum`/`Minimum` as chains of the binary op,
 * `Average` as a sum times 1/n, `Subtract` as SUB.
 */
import { check } from '../../convert/context.js';
import type { OpOptions } from '../graph.js';
import { Op, opt } from '../options.js';
import { outShape, positiveAxis, type TfliteConverter } from './context.js';

function chain(code: Op, options?: () => OpOptions): TfliteConverter {
  return (call, g) => {
    check(call, call.tensors.length >= 2, `expects two or more inputs, got ${call.tensors.length}`);
    const s = outShape(call);
    return [
      call.tensors.slice(1).reduce((acc, x) => g.op(code, [acc, x], s, call.layer.name, options?.()), call.tensors[0]!),
    ];
  };
}

/** `Concatenate`. */
export const concatenate: TfliteConverter = (call, g) => {
  const rank = call.outputShapes[0]!.length;
  const axis = positiveAxis((call.config['axis'] as number | null | undefined) ?? -1, rank);
  return [g.op(Op.CONCATENATION, call.tensors, outShape(call), call.layer.name, opt.concatenation({ axis }))];
};
/** `Add`. */
export const add = chain(Op.ADD, () => opt.add());
/** `Multiply`. */
export const multiply = chain(Op.MUL, () => opt.mul());
/** `Maximum`. */
export const maximum = chain(Op.MAXIMUM);
/** `Minimum`. */
export const minimum = chain(Op.MINIMUM);
/** `Average`: the sum, times 1/n. */
export const average: TfliteConverter = (call, g) => {
  const [sum] = add(call, g);
  const n = g.floats(`${call.layer.name}/inverse_count`, [1 / call.tensors.length], []);
  return [g.op(Op.MUL, [sum!, n], outShape(call), call.layer.name, opt.mul())];
};
