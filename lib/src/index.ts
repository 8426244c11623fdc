/**
 * Lepton: dataframes, charts, training, compression and deployment for TypeScript notebooks.
 * In the Lepton kernel this namespace is preloaded as `lepton`.
 * @packageDocumentation
 */
export * as comm from './comm/index.js';
export { display, displaySymbol, type Display, type Displayable, type MimeBundle } from './display/index.js';
export { signal, input } from './runtime.js';
export { version } from './version.js';
