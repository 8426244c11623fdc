/**
 * A chart: a Vega-Lite v5 spec that displays itself as `application/vnd.vegalite.v5+json` (rendered natively by
 * JupyterLab) with an SVG fallback rendered in Node, so the same notebook shows charts in VS Code and on GitHub.
 */
import type { TopLevelSpec } from 'vega-lite';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { renderSvg } from './render.js';

/** The Vega-Lite v5 schema URL every chart declares. */
export const vegaLiteSchema = 'https://vega.github.io/schema/vega-lite/v5.json';

/** The MIME type of Vega-Lite v5 specs (JupyterLab 4 renders it; a v6 type would fall back to text). */
export const vegaLiteMime = 'application/vnd.vegalite.v5+json';

/** A chart to display: `.spec` is its Vega-Lite spec, free to customize before display. */
export class Chart {
  /** The Vega-Lite v5 spec (data inline). Change it, then display the chart again. */
  spec: TopLevelSpec;

  constructor(spec: TopLevelSpec) {
    this.spec = { $schema: vegaLiteSchema, ...spec };
  }

  /** The chart rendered to an SVG document, in Node. */
  toSVG(): string {
    return renderSvg(this.spec);
  }

  /** A copy with top-level spec properties replaced (title, width, height, config, …). */
  properties(patch: Partial<Record<string, unknown>>): Chart {
    return new Chart({ ...this.spec, ...patch });
  }

  /** The spec, so `JSON.stringify(chart)` gives the Vega-Lite JSON. */
  toJSON(): TopLevelSpec {
    return this.spec;
  }

  /** Vega-Lite for JupyterLab, SVG for other front ends, a one-line description as text. */
  [displaySymbol](): MimeBundle {
    const mark = (this.spec as { mark?: unknown }).mark;
    const markName = typeof mark === 'string' ? mark : ((mark as { type?: string } | undefined)?.type ?? 'layered');
    const values = ((this.spec as { data?: { values?: unknown[] } }).data?.values ?? []).length;
    return {
      [vegaLiteMime]: JSON.parse(JSON.stringify(this.spec)) as unknown,
      'image/svg+xml': this.toSVG(),
      'text/plain': `<Chart ${markName}: ${values} data row${values === 1 ? '' : 's'}; .spec has the Vega-Lite v5 spec>`,
    };
  }
}
