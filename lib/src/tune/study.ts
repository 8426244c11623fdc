/**
 * A study: the trials of one search, the best of them, and its file. Saved atomically after every trial, so an
 * interrupt or a crash loses at most the running trial, and `lepton.tune` with the same path or name resumes it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { leptonHome } from '@lepton/server/home';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { load as loadModel, tfjs as saveModel } from '../export/tfjs-format.js';
import { Chart } from '../plot/chart.js';
import {
  parseStudyFile,
  serializeStudyFile,
  studyFormat,
  type StrategySpec,
  type StudyFileV1,
  type TrialRecord,
} from './format.js';
import { canonical, describeParam, formatValue, type ChoiceValue, type ParamsOf, type Space } from './space.js';
import { bestFirst } from './strategy.js';
import { studyChart, studyHtml, studyText } from './view.js';
import { StudyError, TuneError } from './errors.js';

/** The best trial of a study. */
export interface BestTrial<S extends Space = Space> {
  /** The trial's number. */
  number: number;
  /** Its parameters. */
  params: ParamsOf<S>;
  /** Its objective value. */
  value: number;
  /** The model it trained (when `build` returned one), also after a resume when the study has a file. */
  model: tf.LayersModel | null;
  /** The whole trial record (intermediate values, epochs, time). */
  trial: TrialRecord;
}

/** What a new study is made of: the study file's settings, and where the file goes. */
export interface StudySettings extends Pick<
  StudyFileV1,
  'name' | 'strategy' | 'seed' | 'objective' | 'direction' | 'epochs' | 'space'
> {
  /** The study file, or null for a study kept in memory only. */
  path: string | null;
}

/**
 * Where a study named `name` is kept when no path is given: `studies/<name>.json` in the Lepton home
 * (`LEPTON_HOME`, else `~/.lepton`, the same rule as the model server's home).
 */
export function studyPathFor(name: string): string {
  if (!/^[\w.-]+$/.test(name))
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      `The study name '${name}' cannot be a file name: use letters, digits, '.', '-' and '_' (or pass a path).`,
    );
  return join(leptonHome(), 'studies', `${name}.json`);
}

/** The trials and best result of a hyperparameter search; displays as a table of its best configurations. */
export class Study<S extends Space = Space> {
  /** The finished trials (complete, pruned, failed), in order. */
  readonly trials: TrialRecord[];
  /** The trial running now, if any (shown in the live view; never saved). */
  running: TrialRecord | null = null;
  private bestModelRef: StudyFileV1['bestModel'];
  private model: { trial: number; model: tf.LayersModel } | null = null;
  private readonly createdAt: string;

  private constructor(
    private readonly file: Omit<StudyFileV1, 'trials' | 'bestModel'>,
    trials: TrialRecord[],
    bestModel: StudyFileV1['bestModel'],
    /** The study file, or null for a study kept in memory only. */
    readonly path: string | null,
  ) {
    this.trials = trials;
    this.bestModelRef = bestModel;
    this.createdAt = file.createdAt;
  }

  /** A new, empty study. */
  static create<S extends Space>(settings: StudySettings): Study<S> {
    const now = new Date().toISOString();
    const { path, ...rest } = settings;
    return new Study<S>(
      { format: studyFormat, version: 1, ...rest, space: canonical(settings.space), createdAt: now, updatedAt: now },
      [],
      null,
      path,
    );
  }

  /**
   * Reads a saved study (and its best model, when one was saved).
   * @param path the study file
   * @example const study = await lepton.tune.load('/tmp/studies/penguins.json'); study.best.params
   */
  static async load<S extends Space = Space>(path: string): Promise<Study<S>> {
    const file = resolve(path);
    if (!existsSync(file))
      throw new StudyError(
        'LEPTON_TUNE_NO_STUDY',
        `No study file at ${file}: run lepton.tune with { path: '${path}' } to create it.`,
      );
    const parsed = parseStudyFile(readFileSync(file, 'utf8'), file);
    const { trials, bestModel, ...rest } = parsed;
    const study = new Study<S>(rest, trials, bestModel, file);
    if (bestModel && existsSync(join(dirname(file), bestModel.dir, 'model.json'))) {
      study.model = { trial: bestModel.trial, model: await loadModel(join(dirname(file), bestModel.dir)) };
    }
    return study;
  }

  /** The study's name. */
  get name(): string {
    return this.file.name;
  }

  /** The search space, as declared. */
  get space(): S {
    return this.file.space as S;
  }

  /** The strategy and its settings. */
  get strategy(): StrategySpec {
    return this.file.strategy;
  }

  /** The seed every trial's parameters and training derive from. */
  get seed(): number {
    return this.file.seed;
  }

  /** What is optimised (a training-log name such as `val_acc`, or your label). */
  get objective(): string {
    return this.file.objective;
  }

  /** Whether the objective is maximised or minimised. */
  get direction(): 'min' | 'max' {
    return this.file.direction;
  }

  /** The most epochs one trial trains. */
  get epochs(): number {
    return this.file.epochs;
  }

  /** The complete trials, best first (ties: the earlier trial first). */
  top(k = 5): TrialRecord[] {
    const order = bestFirst(this.direction);
    return this.trials
      .filter((t) => t.status === 'complete' && t.value !== null)
      .sort((a, b) => order(a.value!, b.value!) || a.number - b.number)
      .slice(0, k);
  }

  /** Counts of trials by status. */
  counts(): {
    /** Trials that ran to the end. */
    complete: number;
    /** Trials stopped early by Hyperband. */
    pruned: number;
    /** Trials whose `build` or training threw. */
    failed: number;
  } {
    const count = (s: string) => this.trials.filter((t) => t.status === s).length;
    return { complete: count('complete'), pruned: count('pruned'), failed: count('failed') };
  }

  /** Whether a study holds a best trial yet. */
  get hasBest(): boolean {
    return this.top(1).length > 0;
  }

  /**
   * The best complete trial: its parameters, value and trained model.
   * @throws when no trial has completed yet (the message says why: none run, or how the first one failed)
   */
  get best(): BestTrial<S> {
    const [trial] = this.top(1);
    if (!trial) {
      const failed = this.trials.find((t) => t.status === 'failed');
      const reason =
        this.trials.length === 0
          ? 'it has no finished trial yet; run lepton.tune with more trials'
          : failed
            ? `all ${this.trials.length} finished trials failed or were stopped early (trial ${failed.number}: ${failed.error})`
            : `its ${this.trials.length} trials were all stopped early (pruned); run more trials`;
      throw new StudyError('LEPTON_TUNE_NO_BEST_TRIAL', `Study '${this.name}' has no best trial: ${reason}.`);
    }
    return {
      number: trial.number,
      params: trial.params as ParamsOf<S>,
      value: trial.value!,
      model: this.model?.trial === trial.number ? this.model.model : null,
      trial,
    };
  }

  /** The model of the best trial (kept in memory; with a study file also saved beside it). */
  async setBestModel(trial: number, model: tf.LayersModel | null): Promise<void> {
    const previous = this.model;
    this.model = model ? { trial, model } : null;
    if (previous && previous.model !== model) disposeModel(previous.model);
    if (!this.path) return;
    const old = this.bestModelRef;
    if (model) {
      const dir = `${basename(this.path, '.json')}.trial-${trial}.model`;
      await saveModel(model, join(dirname(this.path), dir));
      this.bestModelRef = { trial, dir };
    } else this.bestModelRef = null;
    this.save();
    // Only once the file names the new model is the old one removed: a crash leaves a consistent pair.
    if (old && old.dir !== this.bestModelRef?.dir)
      rmSync(join(dirname(this.path), old.dir), { recursive: true, force: true });
  }

  /** Writes the study file (atomically); nothing for a study without a path. */
  save(): void {
    if (this.path) writeFileAtomic(this.path, serializeStudyFile(this.toJSON()));
  }

  /** The study file's JSON. */
  toJSON(): StudyFileV1 {
    return {
      ...this.file,
      createdAt: this.createdAt,
      updatedAt: new Date().toISOString(),
      trials: this.trials,
      bestModel: this.bestModelRef,
    };
  }

  /** The search space in words, one parameter per line. */
  describeSpace(): string {
    return Object.entries(this.space)
      .map(([name, p]) => `${name}: ${describeParam(p)}`)
      .join('\n');
  }

  /** The trials as chart: the objective by trial with the best so far, and parameters in parallel coordinates. */
  chart(): Chart {
    return new Chart(studyChart(this));
  }

  /** The best parameters in words, e.g. `lr=0.003162, units=32`. */
  describeBest(): string {
    return Object.entries(this.best.params as Record<string, unknown>)
      .map(([k, v]) => `${k}=${formatValue(v as ChoiceValue)}`)
      .join(', ');
  }

  /** A summary and the table of the best configurations. */
  [displaySymbol](): MimeBundle {
    return {
      'text/html': studyHtml(this, { status: 'saved', message: null, elapsedS: null }),
      'text/plain': studyText(this, { status: 'saved', message: null, elapsedS: null }),
    };
  }
}

/** Frees a model's weights and its optimizer's state (trials make many models; tfjs does not collect them). */
export function disposeModel(model: tf.LayersModel): void {
  try {
    const optimizer = (model as unknown as { optimizer?: { dispose(): void } }).optimizer;
    model.dispose();
    optimizer?.dispose();
  } catch {
    // Already disposed (e.g. the same model returned by two trials): nothing left to free.
  }
}
