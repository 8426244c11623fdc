import { getHost } from './display/host.js';

/**
 * The abort signal of the running cell: it aborts when the user interrupts the cell, so long operations
 * (training, searches) stop at their next step boundary.
 * @example for (const batch of batches) { if (lepton.signal().aborted) break; ... }
 */
export function signal(): AbortSignal {
  return getHost().signal();
}

/**
 * Asks the notebook user for a line of text (Jupyter's stdin channel).
 * @param prompt the text shown before the input box
 * @param options `password: true` hides what is typed
 * @example const name = await lepton.input('Your name?')
 */
export function input(prompt = '', options: { password?: boolean } = {}): Promise<string> {
  return getHost().input(prompt, options.password ?? false);
}
