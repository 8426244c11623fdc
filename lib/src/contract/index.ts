/**
 * The contract between Lepton's processes: the MIME types of its outputs, the comm targets with their request and
 * answer unions, and the JSON bundles both sides read. The library writes these and the JupyterLab extension reads
 * them, each importing this one module (`@lepton/lib/contract`); it has no runtime dependencies, so the
 * extension's browser bundle takes it whole.
 * @module
 */
export * from './mime.js';
export * from './comm.js';
export type * from './bundles.js';
export * from './deployments.js';
