/**
 * Forecasting baselines on windows (`lepton.preprocess.windows`): `naive` repeats the last observed target,
 * `seasonalNaive` the target one season before each label, `mean` the training labels' mean. A model that does not
 * beat them has learned nothing useful. They read the window geometry (`w.spec`): where the target sits among the
 * features and where the labels fall.
 */
import type * as TF from '@tensorflow/tfjs';
import { tfjs } from '../core/tfjs.js';
import type { WindowSpec } from '../preprocess/windows.js';
import type { Estimator } from '../validate/estimator.js';
import { BaselineError } from './errors.js';

/** The window geometry a baseline may be given (`w.spec`); without it, the target is feature 0 and labels follow the inputs. */
export type BaselineWindow = Partial<WindowSpec>;

/** Inputs as [samples, steps, features] (a 2-D input is one feature), with the target's feature checked. */
function inputs(
  x: TF.Tensor,
  window: BaselineWindow,
  name: string,
): { data: Float32Array; samples: number; steps: number; features: number; target: number } {
  if (x.rank !== 2 && x.rank !== 3)
    throw new BaselineError(
      `${name}: expected windows [samples, steps, features] (or [samples, steps]), got shape [${x.shape.join(', ')}].`,
    );
  const [samples, steps, features = 1] = x.shape as number[];
  const target = window.targetIndex ?? 0;
  if (target < 0)
    throw new BaselineError(
      `${name}: the target is not among the window's features (spec.targetIndex is -1); include the target column in features.`,
    );
  if (target >= features)
    throw new BaselineError(`${name}: targetIndex ${target} but the windows have ${features} feature(s).`);
  return { data: x.dataSync() as Float32Array, samples: samples!, steps: steps!, features: features, target };
}

/** Shared by the forecasting baselines: the label width learned in `fit`. */
abstract class ForecastBaseline implements Estimator {
  /** The baseline's name in tables and charts. */
  abstract readonly name: string;
  /** Labels per window, from the spec or learned in `fit`. */
  protected labelWidth: number | null;
  /** @param window the window geometry (`w.spec`) */
  constructor(protected readonly window: BaselineWindow) {
    this.labelWidth = window.labelWidth ?? null;
  }
  /** Learns the label width (and, for `mean`, the mean) from the training labels. */
  fit(_x: TF.Tensor, y: TF.Tensor): this {
    this.labelWidth = y.rank === 1 ? 1 : y.shape[1]!;
    this.learn(y);
    return this;
  }
  /** What a baseline learns from the training labels (nothing, for most). */
  protected learn(_y: TF.Tensor): void {}
  /** The forecasts for windows `x`: [samples, labelWidth]. */
  predict(x: TF.Tensor): TF.Tensor {
    const width = this.labelWidth ?? this.window.labelWidth ?? 1;
    const { data, samples, steps, features, target } = inputs(x, this.window, this.name);
    const out = new Float32Array(samples * width);
    for (let s = 0; s < samples; s++) {
      for (let j = 0; j < width; j++) out[s * width + j] = this.value(data, s, j, steps, features, target, width);
    }
    return tfjs().tensor2d(out, [samples, width]);
  }
  /** The forecast of label `j` of window `s`. */
  protected abstract value(
    data: Float32Array,
    s: number,
    j: number,
    steps: number,
    features: number,
    target: number,
    width: number,
  ): number;
}

/** Repeats the last observed value of the target for every label ("tomorrow = today"). */
export class NaiveForecast extends ForecastBaseline {
  /** `naive`. */
  readonly name = 'naive';
  protected value(data: Float32Array, s: number, _j: number, steps: number, features: number, target: number): number {
    return data[(s * steps + steps - 1) * features + target]!;
  }
}

/** Options of `seasonalNaive`. */
export interface SeasonalNaiveOptions extends BaselineWindow {
  /** The season in rows: 7 for a weekly cycle of daily rows, 24 for a daily cycle of hourly rows. */
  season: number;
}

/** Forecasts each label with the target one season earlier (this day last week, last year). */
export class SeasonalNaiveForecast extends ForecastBaseline {
  /** `seasonal naive (<season>)`. */
  readonly name: string;
  constructor(private readonly options: SeasonalNaiveOptions) {
    super(options);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (!options || !Number.isInteger(options.season) || options.season < 1)
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
      throw new BaselineError(`seasonalNaive: season must be a whole number of rows ≥ 1, got ${options?.season}.`);
    this.name = `seasonal naive (${options.season})`;
  }
  protected value(
    data: Float32Array,
    s: number,
    j: number,
    steps: number,
    features: number,
    target: number,
    width: number,
  ): number {
    // Label j sits at row steps + shift − width + j of its window; a season earlier must be an input row.
    const shift = this.options.shift ?? 1;
    const at = steps + shift - width + j - this.options.season;
    if (at < 0 || at >= steps) {
      const fix =
        at < 0
          ? `make windows with inputWidth ≥ ${this.options.season - shift + width - j}`
          : `a season must be longer than the ${shift - width + j} row(s) between the inputs and the label`;
      throw new BaselineError(
        `seasonalNaive: a season of ${this.options.season} rows reaches row ${at} of a window of ${steps} input rows; ${fix} (and pass the windows' spec: seasonalNaive({ season, ...w.spec })).`,
      );
    }
    return data[(s * steps + at) * features + target]!;
  }
}

/** Forecasts the training labels' mean for every label. */
export class MeanForecast extends ForecastBaseline {
  /** `mean`. */
  readonly name = 'mean';
  private mean: number | null = null;
  protected override learn(y: TF.Tensor): void {
    const values = y.dataSync();
    let sum = 0;
    for (const v of values) sum += v;
    this.mean = sum / values.length;
  }
  protected value(): number {
    if (this.mean === null)
      throw new BaselineError('mean: call fit(x, y) before predict; the mean is learned from the training labels.');
    return this.mean;
  }
}

/**
 * The naive forecast: every label is the last observed target value.
 * @example const naive = lepton.baselines.naive(w.spec); lepton.metrics.mae(yTest, naive.predict(xTest))
 */
export function naive(window: BaselineWindow = {}): NaiveForecast {
  return new NaiveForecast(window);
}

/**
 * The seasonal naive forecast: every label is the target `season` rows earlier.
 * @example lepton.baselines.seasonalNaive({ season: 365, ...w.spec })
 */
export function seasonalNaive(options: SeasonalNaiveOptions): SeasonalNaiveForecast {
  return new SeasonalNaiveForecast(options);
}

/**
 * The mean forecast: every label is the mean of the training labels (fit it first).
 * @example lepton.baselines.mean().fit(xTrain, yTrain).predict(xTest)
 */
export function mean(window: BaselineWindow = {}): MeanForecast {
  return new MeanForecast(window);
}
