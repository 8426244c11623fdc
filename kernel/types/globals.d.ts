// Preloaded functions every cell can call without an import.

/** Displays any value as a cell output; `display.update(id, value)` updates it in place. */
declare const display: import('@lepton/lib').Display;
/** Asks the notebook user for a line of text (`await input('Name?')`). */
declare const input: typeof import('@lepton/lib').input;
