/**
 * The protocol of a model family in the search: a name, a search space for TPE (or none: one trial), default
 * parameters tried first, whether its inputs are scaled, and how to make a fresh model from parameters. Each
 * family is one module; `index.ts` lists them.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Deployable } from '../../deploy/model-source.js';
import type { ParamValues, Space } from '../../tune/space.js';
import type { AutomlTask } from '../options.js';

/** What a family is told when it makes a model. */
export interface FamilyContext {
  /** Classification or regression. */
  task: AutomlTask;
  /** Number of classes (classification), else 0. */
  classes: number;
  /** Features per row of the model input. */
  inputs: number;
  /** Training rows. */
  rows: number;
  /** Seed of the model's initialisation and training. */
  seed: number;
  /** When the search's budget runs out (ms since the epoch; Infinity for none): a model that trains in steps stops there. */
  deadline: number;
}

/** A model of a family: trained on a [rows, features] float32 tensor and labels (class ids int32, or float32 values). */
export interface FamilyModel {
  /** Trains on all of `x`, `y`. */
  fit(x: TF.Tensor2D, y: TF.Tensor1D): Promise<void>;
  /** Predictions for `x`: class ids (int32, [rows]) for classification, values (float32, [rows]) for regression. */
  predict(x: TF.Tensor2D): TF.Tensor1D;
  /** Class probabilities, [rows, classes] (classification only). */
  predictProba?(x: TF.Tensor2D): TF.Tensor2D;
  /** The model in a form `lepton.deploy` takes (a tfjs model or ONNX bytes), or null when it has none. */
  deployable(): Deployable | null | Promise<Deployable | null>;
  /** Frees its tensors. */
  dispose(): void;
}

/** A model family the search tunes. */
export interface Family {
  /** Its short name in the leaderboard (`baseline`, `linear`, `gbm`, `mlp`). */
  readonly name: string;
  /** Whether its numeric inputs are standard-scaled. */
  readonly scale: boolean;
  /** Its search space (null: it has no parameter, one trial is enough). */
  space(task: AutomlTask, rows: number): Space | null;
  /** The parameters of its first trial: good defaults, so the leaderboard is sensible after one round. */
  defaults(task: AutomlTask, rows: number): ParamValues;
  /** A fresh, untrained model. */
  create(params: ParamValues, context: FamilyContext): FamilyModel;
}
