/**
 * The extension's user settings, read into typed values. The JSON schemas in `schema/` are the contract users see
 * in JupyterLab's Settings Editor; these readers take whatever the setting registry hands over (a composite that may
 * be partial, or an older or hand-edited file) and return values the plugins can use as they are: a missing or
 * non-numeric field falls back to its default, an out-of-range one is clamped to the schema's limits.
 */

/** A numeric setting's limits and default, as its schema declares them (a unit test keeps the two equal). */
export interface NumberRange {
  /** The smallest value accepted. */
  minimum: number;
  /** The largest value accepted. */
  maximum: number;
  /** The value used when none is set. */
  default: number;
}

/** `refreshInterval` in `schema/deployments-panel.json`, in seconds. */
export const REFRESH_INTERVAL_S: NumberRange = { minimum: 0.5, maximum: 3600, default: 2 };

/** `maxPoints` in `schema/training.json`: the per-batch points each training chart draws at most. */
export const MAX_CHART_POINTS: NumberRange = { minimum: 100, maximum: 100_000, default: 800 };

/** The deployments panel's settings. */
export interface PanelSettings {
  /** How often the shown panel refreshes, in milliseconds. */
  refreshMs: number;
}

/** The training charts' settings. */
export interface TrainingSettings {
  /** The per-batch points each metric's chart draws at most. */
  maxPoints: number;
}

/** The value of `field` in a settings composite, within `range` (its default when absent or not a number). */
function numberSetting(composite: unknown, field: string, range: NumberRange, integer = false): number {
  const value =
    typeof composite === 'object' && composite !== null ? (composite as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return range.default;
  return Math.min(range.maximum, Math.max(range.minimum, integer ? Math.round(value) : value));
}

/** Reads the deployments panel's settings from the registry's composite for `@lepton/extension:deployments-panel`. */
export function panelSettings(composite: unknown): PanelSettings {
  return { refreshMs: Math.round(numberSetting(composite, 'refreshInterval', REFRESH_INTERVAL_S) * 1000) };
}

/** Reads the training charts' settings from the registry's composite for `@lepton/extension:training`. */
export function trainingSettings(composite: unknown): TrainingSettings {
  return { maxPoints: numberSetting(composite, 'maxPoints', MAX_CHART_POINTS, true) };
}
