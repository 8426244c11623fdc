import { getHost, type DisplayOptions } from './host.js';
import { toMimeBundle } from './mime.js';

/** Displays values as outputs of the current cell, and updates them in place. */
export interface Display {
  /** Shows `value` (its MIME bundle, see `displaySymbol`) as a new output; `{ id }` makes it updatable. */
  (value: unknown, options?: DisplayOptions): void;
  /** Replaces the output(s) displayed with `id` by `value`. */
  update(id: string, value: unknown, options?: DisplayOptions): void;
  /** Clears the cell's outputs; with `wait`, only when new output arrives (no flicker). */
  clear(wait?: boolean): void;
}

function show(value: unknown, options?: DisplayOptions): void {
  getHost().display(toMimeBundle(value), options);
}

/**
 * Displays any value in the notebook.
 * @example display(lepton.datasets.penguins())
 * @example display(progress, { id: 'p' }); display.update('p', progress)
 */
export const display: Display = Object.assign(show, {
  update(id: string, value: unknown, options?: DisplayOptions): void {
    getHost().update(id, toMimeBundle(value), options);
  },
  clear(wait = false): void {
    getHost().clear(wait);
  },
});
