/**
 * Vega-Lite specs rendered to SVG in Node (vega + vega-lite), synchronously, so a chart's display bundle carries an
 * `image/svg+xml` fallback for front ends without a Vega-Lite renderer (VS Code, GitHub). Vega loads on first use.
 */
import { createRequire } from 'node:module';
import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';
import { DataError } from '../data/errors.js';

const require = createRequire(import.meta.url);
let modules: { vega: typeof Vega; vl: typeof VegaLite } | undefined;

function load(): { vega: typeof Vega; vl: typeof VegaLite } {
  return (modules ??= { vega: require('vega') as typeof Vega, vl: require('vega-lite') as typeof VegaLite });
}

/** The Vega-Lite version used to compile specs (charts declare the v5 schema). */
export function vegaLiteVersion(): string {
  return load().vl.version;
}

/** Compiles a Vega-Lite spec to a Vega spec, with a clear error when the spec is invalid. */
export function compile(spec: VegaLite.TopLevelSpec): Vega.Spec {
  try {
    return load().vl.compile(spec).spec;
  } catch (error) {
    throw new DataError('LEPTON_BAD_ARGUMENT', `invalid Vega-Lite spec: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Renders a Vega-Lite spec to an SVG document. Data must be inline (`data.values`): nothing is fetched.
 * It runs the dataflow synchronously and draws the scene with vega's SVG string renderer, which is what
 * `view.toSVG()` does after awaiting the same run.
 */
export function renderSvg(spec: VegaLite.TopLevelSpec): string {
  const { vega } = load();
  const view = new vega.View(vega.parse(compile(spec)), { renderer: 'none' });
  try {
    view.run();
    const internal = view as unknown as { _viewWidth: number; _viewHeight: number; _origin: [number, number] };
    const padding = view.padding() as { top: number; bottom: number; left: number; right: number };
    const SvgRenderer = (vega as unknown as { SVGStringRenderer: new (loader: unknown) => unknown }).SVGStringRenderer;
    const renderer = new SvgRenderer(view.loader()) as {
      initialize(el: null, width: number, height: number, origin: [number, number], scale: number): typeof renderer;
      background(color: unknown): typeof renderer;
      render(scene: unknown): typeof renderer;
      svg(): string;
    };
    return renderer
      .initialize(
        null,
        internal._viewWidth + padding.left + padding.right,
        internal._viewHeight + padding.top + padding.bottom,
        [padding.left + internal._origin[0], padding.top + internal._origin[1]],
        1,
      )
      .background(view.background())
      .render((view.scenegraph() as unknown as { root: unknown }).root)
      .svg();
  } finally {
    view.finalize();
  }
}
