// What the Ray tests share: the Ray environment, or undefined with the reason to skip (a failure under CI, where
// .ci/run makes the environment).
import assert from 'node:assert/strict';
import * as lepton from '@lepton/lib';

/** Why the Ray tests skip outside CI. */
export const MISSING = 'Ray is not installed (.venv-ray): run `node kernel/bin/lepton.js setup --ray`';

/** The Ray environment, or undefined (outside CI) when it is missing. */
export function rayEnvironment(): lepton.RayEnvironment | undefined {
  if (lepton.hasRayEnvironment()) return lepton.rayEnvironment();
  if (process.env.CI === 'true') assert.fail(`${MISSING}; .ci/run makes it, so under CI this is a failure.`);
  return undefined;
}
