/**
 * `pipeline([...])`: transforms applied in order, fitted in order (each on the previous one's output), and saved
 * to JSON together.
 */
import type { ColumnTable } from 'arquero';
import { badArgument } from '../data/errors.js';
import type { FrameColumns } from '../data/stats.js';
import { allColumns, fromJSON, registerTransform, Transform, type TransformJSON } from './transform.js';

/** A fitted `Pipeline`'s JSON `state` (its steps carry their own). */
export type PipelineState = {
  /** Always true once fitted. */
  fitted: true;
};

/** Transforms in sequence. */
export class Pipeline extends Transform<PipelineState> {
  readonly kind = 'pipeline';
  /** The steps, in order. */
  readonly steps: Transform[];
  constructor(steps: Transform[]) {
    super();
    if (!Array.isArray(steps) || steps.length === 0 || !steps.every((s) => s instanceof Transform)) {
      throw badArgument(
        'pipeline: expected a non-empty array of transforms, e.g. pipeline([imputer(), standardScaler()]).',
      );
    }
    this.steps = steps;
  }
  protected config(): Record<string, unknown> {
    return { steps: this.steps.map((s) => s.toJSON()) };
  }
  protected learn(frame: ColumnTable): PipelineState {
    let current: ColumnTable = frame;
    for (const step of this.steps) current = step.fit(current).transform(current);
    return { fitted: true };
  }
  protected apply(frame: ColumnTable): FrameColumns {
    let current: ColumnTable = frame;
    for (const step of this.steps) current = step.transform(current);
    return allColumns(current);
  }
  override restore(state: Record<string, unknown> | null): this {
    return super.restore(state && this.steps.every((s) => s.fitted) ? state : null);
  }
}

/**
 * A pipeline of transforms.
 * @example const prep = lepton.preprocess.pipeline([imputer({ strategy: 'median' }), standardScaler(), oneHot()]).fit(train)
 */
export function pipeline(steps: Transform[]): Pipeline {
  return new Pipeline(steps);
}

registerTransform(
  'pipeline',
  (config) => new Pipeline(((config.steps ?? []) as TransformJSON[]).map((s) => fromJSON(s))),
);
