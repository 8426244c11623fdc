/**
 * Charts for notebooks (`lepton.plot`): Vega-Lite v5 specs built from DataFrames, displayed natively by JupyterLab
 * with an SVG fallback rendered in Node.
 * @packageDocumentation
 */
export {
  bar,
  box,
  heatmap,
  histogram,
  line,
  scatter,
  vl,
  type Aggregate,
  type CommonOptions,
  type XYOptions,
} from './charts.js';
export { Chart, vegaLiteMime, vegaLiteSchema } from './chart.js';
export { forecast, type ForecastChartOptions } from './forecast.js';
export { plotLimits, type Channel, type FieldType } from './encode.js';
export { renderSvg } from './render.js';
