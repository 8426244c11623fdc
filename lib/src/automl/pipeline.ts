/**
 * `result.best`: the winning preprocessing and model as one object that predicts on raw DataFrames, explains
 * itself by permutation importance and deploys in one call (`lepton.deploy(result.best, { name })`: the model's
 * ONNX graph with the fitted transforms, so the server takes raw records).
 */
import * as tf from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { deployBundleSymbol, type DeployBundle } from '../deploy/model-source.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { permutationImportance, type PermutationImportance } from '../explain/permutation.js';
import type { Pipeline } from '../preprocess/pipeline.js';
import { formatValue, type ParamValues } from '../tune/space.js';
import { AutomlError } from './errors.js';
import type { FittedPair } from './trial.js';
import { labelTensor } from './trial.js';
import type { ResolvedOptions } from './options.js';

/** Options of `AutomlPipeline.explain`. */
export interface ExplainOptions {
  /** Shuffles per feature (default 3). */
  repeats?: number;
  /** Seed of the shuffles (default 0). */
  seed?: number;
}

/** The best preprocessing and model of a search. */
export class AutomlPipeline {
  /**
   * Made by `lepton.automl`. @internal
   * @param family the model family
   * @param params its parameters
   * @param pair the fitted preprocessing and model
   * @param options the search's options (target, task, classes)
   * @param trainedOn what it was trained on, in words (`all 1,000 rows`, or a fold's training rows after an interrupt)
   */
  constructor(
    readonly family: string,
    readonly params: ParamValues,
    private readonly pair: FittedPair,
    private readonly options: ResolvedOptions,
    readonly trainedOn: string,
  ) {}

  /** The target column. */
  get target(): string {
    return this.options.target;
  }

  /** Classification or regression. */
  get task(): 'classification' | 'regression' {
    return this.options.task;
  }

  /** The classes in the model's output order (classification), else empty. */
  get classes(): (string | number | boolean)[] {
    return [...this.options.classes];
  }

  /** The fitted preprocessing, a `lepton.preprocess` pipeline (JSON with `toJSON()`). */
  get transforms(): Pipeline {
    return this.pair.prep.pipeline;
  }

  /** The model input's columns after the transforms, in order. */
  get features(): string[] {
    return [...this.pair.prep.features];
  }

  /** Predictions for raw rows: class labels, or values. */
  predict(df: ColumnTable): unknown[] {
    const out = tf.tidy(() => this.pair.model.predict(this.input(df)));
    const values = Array.from(out.dataSync());
    out.dispose();
    return this.task === 'classification' ? values.map((i) => this.options.classes[i]) : values;
  }

  /** Class probabilities for raw rows, one array per row in `classes` order (classification only). */
  predictProba(df: ColumnTable): number[][] {
    if (this.task !== 'classification' || !this.pair.model.predictProba)
      throw new AutomlError('LEPTON_AUTOML_PIPELINE', 'predictProba: this is a regression pipeline; use predict(df).');
    const proba = tf.tidy(() => this.pair.model.predictProba!(this.input(df)));
    const rows = proba.arraySync();
    proba.dispose();
    return rows;
  }

  /**
   * Permutation importance of each model input column on `df` (raw rows with the target): how much the score
   * drops when the column is shuffled.
   * @example result.best.explain(test)
   */
  explain(df: ColumnTable, options: ExplainOptions = {}): PermutationImportance {
    const x = this.input(df);
    const y = labelTensor(df, this.options);
    const model = this.pair.model;
    const classification = this.task === 'classification';
    try {
      return permutationImportance(
        {
          predict: (batch: tf.Tensor) =>
            classification && model.predictProba
              ? model.predictProba(batch as tf.Tensor2D)
              : model.predict(batch as tf.Tensor2D),
        },
        { x, y },
        {
          metric: classification ? 'accuracy' : 'mse',
          repeats: options.repeats ?? 3,
          seed: options.seed ?? 0,
          featureNames: this.features,
        },
      );
    } finally {
      tf.dispose([x, y]);
    }
  }

  /** What `lepton.deploy(best)` deploys: the model, the fitted transforms, the feature order and the classes. */
  async [deployBundleSymbol](): Promise<DeployBundle> {
    const model = await this.pair.model.deployable();
    if (!model)
      throw new AutomlError(
        'LEPTON_AUTOML_PIPELINE',
        `The best pipeline is the ${this.family} family, which has no ONNX form; search with families that deploy.`,
      );
    return {
      model,
      name: `automl-${this.target}`.replace(/[^A-Za-z0-9_.-]/g, '-'),
      transforms: [this.transforms],
      features: this.features,
      ...(this.task === 'classification' ? { classes: this.classes.map(String) } : {}),
    };
  }

  /** A one-line summary. */
  toString(): string {
    const params = Object.entries(this.params)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(', ');
    return `AutomlPipeline: ${this.family}${params ? ` (${params})` : ''} predicting ${this.target} (${this.task}) from ${this.features.length} features, trained on ${this.trainedOn}`;
  }

  /** Shows the one-line summary in a notebook. */
  [displaySymbol](): MimeBundle {
    return { 'text/plain': this.toString() };
  }

  /** The raw rows' model input. */
  private input(df: ColumnTable): tf.Tensor2D {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (!df || typeof (df as Partial<ColumnTable>).columnNames !== 'function')
      throw new AutomlError(
        'LEPTON_AUTOML_PIPELINE',
        'expected a DataFrame of raw rows (the columns the search was given).',
      );
    return this.pair.prep.pipeline.transform(df).toTensor(this.pair.prep.features) as tf.Tensor2D;
  }
}
