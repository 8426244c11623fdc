/**
 * Class names: a version deployed with `classes` (the names of its classifier's classes, in output order) answers
 * every request with a BYTES output `label` beside the probabilities: for each row, the name of the most probable
 * class (for one sigmoid unit and two classes, the second when p ≥ 0.5). Whatever the input (tensors, records,
 * images, text), the label is read the same way from the model's one output.
 */
import { errors } from '../errors.js';
import type { TensorSpec } from '../wire/tensor-spec.js';
import type { ResponseTensor, TensorData } from '../tensors.js';

/** The name of the labels output. */
export const LABEL_OUTPUT = 'label';

/** The labels output as model metadata shows it: one string per row. */
export const LABEL_SPEC = { name: LABEL_OUTPUT, datatype: 'BYTES', shape: [-1] } as const;

/**
 * Checks a deploy's `classes` against the model's outputs: two or more distinct non-empty names, and one FP32
 * output `[batch, classes]` (or `[batch, 1]` for two classes with a sigmoid). Returns them. Throws
 * `LEPTON_BAD_META` naming the problem.
 */
export function parseClasses(value: unknown, outputs: readonly TensorSpec[]): string[] {
  if (
    !Array.isArray(value) ||
    value.length < 2 ||
    !value.every((c): c is string => typeof c === 'string' && c.length > 0)
  ) {
    throw errors.badMeta(
      // JSON.stringify answers undefined for undefined, which its type leaves out.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
      `classes must be the names of the model's classes in output order: 2 or more non-empty strings (got ${JSON.stringify(value)?.slice(0, 200)}).`,
    );
  }
  const duplicate = value.find((c, i) => value.indexOf(c) !== i);
  if (duplicate !== undefined)
    throw errors.badMeta(`classes names "${duplicate}" twice; each class needs its own name.`);
  const out = outputs[0];
  const width = out?.shape[1];
  const fits =
    outputs.length === 1 &&
    out!.datatype === 'FP32' &&
    out!.shape.length === 2 &&
    (width === -1 || width === value.length || (width === 1 && value.length === 2));
  if (!fits) {
    const has = outputs.map((o) => `"${o.name}" ${o.datatype} [${o.shape.join(', ')}]`).join(', ');
    throw errors.badMeta(
      `classes (${value.length}) label a model with one FP32 output [batch, ${value.length}]; this model has ${has}.`,
    );
  }
  return value;
}

/** The labels of a classifier's output rows (`[rows, classes]`, or `[rows, 1]` sigmoid for two classes). */
export function labelsOf(classes: readonly string[], data: TensorData, shape: readonly number[]): string[] {
  const rows = shape[0] ?? 0;
  const width = shape[1] ?? 1;
  const values = data as Float32Array;
  const labels: string[] = [];
  for (let r = 0; r < rows; r++) {
    if (width === 1) {
      labels.push(classes[values[r]! >= 0.5 ? 1 : 0]!);
      continue;
    }
    let best = 0;
    for (let c = 1; c < width; c++) if (values[r * width + c]! > values[r * width + best]!) best = c;
    labels.push(classes[best] ?? String(best));
  }
  return labels;
}

/** The BYTES `label` output for a classifier's output. */
export function labelOutput(classes: readonly string[], data: TensorData, shape: readonly number[]): ResponseTensor {
  const labels = labelsOf(classes, data, shape);
  return { name: LABEL_OUTPUT, datatype: 'BYTES', shape: [labels.length], data: labels };
}
