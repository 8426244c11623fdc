import { display } from '../display/display.js';
import { trainingMimeBundle, type TrainingBundle, type TrainingStatus } from './training-bundle.js';

/** Options of the live training view. */
export interface LiveViewOptions {
  /** Most updates per second sent to the front end (default 4); epoch ends and the final state always go out. */
  maxUpdatesPerS?: number;
  /** Whether to display at all (default true). */
  show?: boolean;
}

/** The displayed state of one run, shown once and then updated in place at a bounded rate. */
export class LiveTrainingView {
  readonly state: TrainingBundle;
  private readonly minIntervalMs: number;
  private readonly show: boolean;
  private shown = false;
  private lastSent = 0;
  private readonly started = Date.now();
  /** How many update messages were sent (tests check the rate bound). */
  updates = 0;

  /**
   * @param state the initial state (status `running`, no points yet)
   * @param options rate and visibility
   */
  constructor(state: TrainingBundle, options: LiveViewOptions = {}) {
    this.state = state;
    this.minIntervalMs = 1000 / (options.maxUpdatesPerS ?? 4);
    this.show = options.show ?? true;
  }

  /** The display id of this run's output. */
  get displayId(): string {
    return `lepton-training-${this.state.runId}`;
  }

  /** Seconds since the view was created. */
  elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** Shows the view (first call) or updates it, unless the last update was too recent and `force` is false. */
  refresh(force = false): void {
    if (!this.show) return;
    const now = Date.now();
    if (this.shown && !force && now - this.lastSent < this.minIntervalMs) return;
    this.lastSent = now;
    const bundle = { [Symbol.for('Jupyter.display')]: () => trainingMimeBundle(this.state) };
    if (!this.shown) {
      this.shown = true;
      display(bundle, { id: this.displayId });
    } else {
      this.updates++;
      display.update(this.displayId, bundle);
    }
  }

  /** Ends the run: sets its status and message and sends the final state (what the saved notebook keeps). */
  finish(status: TrainingStatus, message: string | null): void {
    this.state.status = status;
    this.state.message = message;
    this.state.progress.etaS = 0;
    this.refresh(true);
  }
}
