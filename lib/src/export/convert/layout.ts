/**
 * Channels-last ↔ channels-first plumbing for the ops ONNX defines on NCHW (Conv, MaxPool, AveragePool), and
 * TensorFlow's padding rules written as explicit ONNX pads.
 */
import { attr, type AttrValue, type OnnxGraph } from '../../onnx/graph.js';
import { check, type LayerCall, type Shape } from './context.js';

/** `[0, r-1, 1, ..., r-2]`: NHWC → NCHW for rank `r`. */
export const toChannelsFirstPerm = (rank: number): number[] => [
  0,
  rank - 1,
  ...Array.from({ length: rank - 2 }, (_, i) => i + 1),
];

/** `[0, 2, ..., r-1, 1]`: NCHW → NHWC for rank `r`. */
export const toChannelsLastPerm = (rank: number): number[] => [
  0,
  ...Array.from({ length: rank - 2 }, (_, i) => i + 2),
  1,
];

/**
 * Runs `op` on channels-first data: transposes `x` (channels last, rank `rank`) in, and the result back out.
 * @returns the channels-last result
 */
export function channelsFirst(
  g: OnnxGraph,
  x: string,
  rank: number,
  hint: string,
  op: (xFirst: string) => string,
): string {
  const xFirst = g.op('Transpose', [x], { perm: attr.ints(toChannelsFirstPerm(rank)) }, hint);
  return g.op('Transpose', [op(xFirst)], { perm: attr.ints(toChannelsLastPerm(rank)) }, hint);
}

/** A per-spatial-axis config value (`kernelSize: 3` or `[3, 3]`) as one number per axis. */
export function perAxis(value: unknown, axes: number, fallback: number): number[] {
  if (value === undefined || value === null) return new Array<number>(axes).fill(fallback);
  if (Array.isArray(value))
    return value.length === axes ? value.map(Number) : new Array<number>(axes).fill(Number(value[0]));
  return new Array<number>(axes).fill(Number(value));
}

/** Fails unless the layer is channels last (tfjs's default). */
export function requireChannelsLast(call: LayerCall): void {
  const format = call.config['dataFormat'];
  check(
    call,
    format === undefined || format === 'channelsLast',
    `dataFormat ${JSON.stringify(format)} is not supported; use channelsLast (the default)`,
  );
}

/**
 * The `pads`/`auto_pad` attributes for tfjs's padding on inputs of spatial sizes `spatial`:
 * `valid` is no padding, `same` pads like TensorFlow (the odd cell at the end).
 */
export function padAttrs(
  call: LayerCall,
  padding: string,
  spatial: Shape,
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): Record<string, AttrValue> {
  const n = kernel.length;
  if (padding === 'valid') return { pads: attr.ints(new Array<number>(2 * n).fill(0)) };
  const effective = kernel.map((k, i) => (k - 1) * dilations[i]! + 1);
  check(
    call,
    padding === 'same',
    `padding ${JSON.stringify(padding)} is not supported (valid and same are; tfjs cannot run causal either)`,
  );
  if (spatial.some((d) => d === null)) return { auto_pad: attr.string('SAME_UPPER') };
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((size, i) => {
    const out = Math.ceil(size! / strides[i]!);
    const total = Math.max((out - 1) * strides[i]! + effective[i]! - size!, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return { pads: attr.ints([...begin, ...end]) };
}
