/**
 * JupyterLab's page configuration for the project's environment: what the front end loads when `lepton lab` (or
 * Binder) opens the tutorials.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exists, writeAtomic } from './paths.js';

/**
 * Front-end plugins the project's JupyterLab leaves out. The announcements plugin opens a "get notified about
 * official Jupyter news?" toast over the first notebook a newcomer opens, covering the tutorial's last cells; it is
 * JupyterLab's own and stays available to anyone who starts JupyterLab outside the project's environment.
 */
export const DISABLED_PLUGINS = ['@jupyterlab/apputils-extension:announcements'] as const;

function readConfig(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${path} is not a JSON object: fix or delete it, then run \`lepton setup\` again.`);
}

/** `disabledExtensions` as JupyterLab reads it: a map of plugin ids to true/false, or (its older form) a list of ids. */
function disabledOf(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((id) => [String(id), true]));
  if (typeof value === 'object') return value as Record<string, unknown>;
  throw new Error(
    `${path}: disabledExtensions must be a map of plugin ids or a list of them: fix or delete it, then run \`lepton setup\` again.`,
  );
}

/**
 * Adds `DISABLED_PLUGINS` to `PREFIX/etc/jupyter/labconfig/page_config.json`, which JupyterLab started from that env
 * merges into its page; what else the file holds (e.g. from `jupyter labextension disable`) is kept.
 */
export function writeLabPageConfig(prefix: string): string {
  const path = join(prefix, 'etc', 'jupyter', 'labconfig', 'page_config.json');
  const config = exists(path) ? readConfig(path) : {};
  config.disabledExtensions = {
    ...disabledOf(config.disabledExtensions, path),
    ...Object.fromEntries(DISABLED_PLUGINS.map((id) => [id, true])),
  };
  writeAtomic(path, JSON.stringify(config, null, 2) + '\n');
  return path;
}
