import assert from 'node:assert/strict';

/**
 * A MIME bundle as Jupyter carries it (`data` of display_data, execute_result and notebook outputs): text types are
 * strings (images base64), JSON types such as Vega-Lite or Lepton's own bundles are parsed values that a test reads
 * through {@link jsonOf} or {@link vegaLiteOf}.
 */
export interface MimeBundle {
  [mime: string]: unknown;
  'text/plain'?: string;
  'text/html'?: string;
  'text/markdown'?: string;
  'text/latex'?: string;
  'image/png'?: string;
  'image/svg+xml'?: string;
}

/** The fields of a Vega-Lite spec that the tests read; the rest stay `unknown`. */
export interface VegaLiteSpec {
  [key: string]: unknown;
  $schema?: string;
  mark?: { type: string; [key: string]: unknown };
  title?: string | { text: string };
  encoding?: Record<string, { field?: string; type?: string; [key: string]: unknown } | undefined>;
  data?: { values?: Record<string, unknown>[] };
  layer?: VegaLiteSpec[];
  hconcat?: VegaLiteSpec[];
  vconcat?: VegaLiteSpec[];
  params?: { name: string; [key: string]: unknown }[];
}

/** A JSON value of a bundle as an object (cast it to the type its MIME type's contract names), or undefined. */
export function jsonIn(bundle: MimeBundle | undefined, mime: string): object | undefined {
  const value = bundle?.[mime];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/**
 * A JSON value of a bundle as an object (cast it to the type its MIME type's contract names); fails the test when the
 * bundle lacks it or holds something other than an object. The fields are then what the assertions check.
 */
export function jsonOf(bundle: MimeBundle | undefined, mime: string): object {
  const value = bundle?.[mime];
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `no ${mime} object in the output`);
  return value;
}

/** The Vega-Lite v5 spec of a bundle; fails the test when there is none. */
export function vegaLiteOf(bundle: MimeBundle | undefined): VegaLiteSpec {
  return jsonOf(bundle, 'application/vnd.vegalite.v5+json') as VegaLiteSpec;
}
