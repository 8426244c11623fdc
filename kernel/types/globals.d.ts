// Preloaded functions every cell can call without an import.

/**
 * Displays any value as a cell output; `display.update(id, value)` updates it in place. One-line helpers:
 * `display.html`, `display.markdown` (tags too: display.html`<b>${x}</b>`, display.md`**${n}**`), `display.svg`,
 * `display.latex`, `display.json`, `display.png`, `display.jpeg`, `display.image` (tensors as images or grids).
 */
declare const display: import('@lepton/lib').Display;
/** Asks the notebook user for a line of text (`await input('Name?')`). */
declare const input: typeof import('@lepton/lib').input;
