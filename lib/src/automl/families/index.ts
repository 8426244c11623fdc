/**
 * The model families `lepton.automl` searches over, each one module, in the order of its first round: the baseline,
 * then the family that is usually strongest and fastest on tables (gradient boosting), then the networks.
 */
import { baselineFamily } from './baseline.js';
import type { Family } from './family.js';
import { gbmFamily } from './gbm.js';
import { linearFamily } from './linear.js';
import { mlpFamily } from './mlp.js';

export type { Family, FamilyContext, FamilyModel } from './family.js';

/** Every family, by name, in first-round order. */
export const FAMILIES: readonly Family[] = [baselineFamily, gbmFamily, linearFamily, mlpFamily];
