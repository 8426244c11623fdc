/** One running trial as `build` sees it: its parameters, seed and budget, and how to report progress. */
import type { FitCallbacks } from '../train/fit.js';
import type { TrialRecord } from './format.js';
import type { ParamValues } from './space.js';
import { TuneError } from './errors.js';

export { TuneError } from './errors.js';

/** The value of `objective` in a run's logs; Keras's `accuracy` names and tfjs's `acc` names both work. */
export function objectiveFrom(logs: Record<string, number>, objective: string): number {
  if (objective in logs) return logs[objective]!;
  const alias =
    objective.replace(/accuracy$/, 'acc') === objective
      ? objective.replace(/acc$/, 'accuracy')
      : objective.replace(/accuracy$/, 'acc');
  if (alias in logs) return logs[alias]!;
  const names = Object.keys(logs);
  throw new TuneError(
    'LEPTON_TUNE_BAD_OBJECTIVE',
    `The objective '${objective}' is not in the training logs (${names.join(', ') || 'none'})${objective.startsWith('val_') && !names.some((n) => n.startsWith('val_')) ? ': val_* needs validation data, pass fit: { validation: 0.2 }' : ''}; pass { objective: '${names.find((n) => n.startsWith('val_')) ?? names[0] ?? 'loss'}' } or one of the names above.`,
  );
}

/**
 * The trial handed to `build(params, trial)`. A `build` that trains by itself reports each epoch's objective with
 * `report` (or passes `trial.callbacks` to `lepton.fit`) and stops once `shouldStop` is true: Hyperband stops
 * unpromising trials that way, and an interrupt stops the trial.
 */
export class Trial<P = ParamValues> {
  /** Callbacks for `lepton.fit`: report the objective after each epoch and stop training when the trial must stop. */
  readonly callbacks: FitCallbacks;
  private stopped = false;

  /**
   * @param record the trial's stored state (reports go into it)
   * @param objective the objective's name in training logs
   * @param maxEpochs the most epochs the trial may train
   * @param signal the cell's abort signal
   * @param judge asks the strategy whether to stop after the latest report
   * @param onReport called after each report (the live view)
   */
  constructor(
    private readonly record: TrialRecord,
    readonly objective: string,
    private readonly maxEpochs: number,
    readonly signal: AbortSignal,
    private readonly judge: () => boolean,
    private readonly onReport: () => void,
  ) {
    this.callbacks = {
      onEpochEnd: (epoch, logs) => {
        this.report(epoch + 1, objectiveFrom(logs, objective));
        return !this.shouldStop;
      },
    };
  }

  /** The trial's number (0-based, the order trials ran in). */
  get number(): number {
    return this.record.number;
  }

  /** This trial's parameters. */
  get params(): P {
    return this.record.params as unknown as P;
  }

  /** A seed for this trial's weights, shuffling and dropout (from the study's seed): pass it to `lepton.models.*`. */
  get seed(): number {
    return this.record.seed;
  }

  /** The most epochs this trial trains (Hyperband may stop it before). */
  get epochs(): number {
    return this.maxEpochs;
  }

  /** Whether the strategy stopped this trial early (it ends as `pruned`). */
  get pruned(): boolean {
    return this.stopped;
  }

  /** Whether training should stop now: the strategy stopped the trial, or the cell was interrupted. */
  get shouldStop(): boolean {
    return this.stopped || this.signal.aborted;
  }

  /** The last reported value, if any. */
  get lastValue(): number | undefined {
    return this.record.intermediate.at(-1)?.[1];
  }

  /**
   * Records the objective after an epoch; the strategy may then stop the trial (see `shouldStop`).
   * @param epoch the 1-based epoch just finished
   * @param value the objective's value after it
   */
  report(epoch: number, value: number): void {
    const last = this.record.intermediate.at(-1)?.[0] ?? 0;
    if (!(Number.isInteger(epoch) && epoch > last))
      throw new TuneError(
        'LEPTON_TUNE_BAD_REPORT',
        `trial.report(epoch, value) needs increasing whole epochs from 1 (got ${epoch} after ${last}).`,
      );
    if (typeof value !== 'number')
      throw new TuneError(
        'LEPTON_TUNE_BAD_REPORT',
        `trial.report(epoch, value) needs a number as value (got ${typeof value}).`,
      );
    this.record.intermediate.push([epoch, value]);
    this.record.epochs = epoch;
    this.record.value = value;
    if (!this.stopped && epoch < this.maxEpochs && this.judge()) this.stopped = true;
    this.onReport();
  }
}
