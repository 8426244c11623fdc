/**
 * What a deployment may be called: the rule the server enforces, and front ends check before asking (this module
 * has no dependencies, so the JupyterLab extension bundles it as `@lepton/server/names`).
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Whether `name` can name a model: 1–64 letters, digits, `_`, `.` or `-`, starting with a letter or digit, no `..` (it is also a folder name). */
export function isModelName(name: string): boolean {
  return NAME.test(name) && !name.includes('..');
}
