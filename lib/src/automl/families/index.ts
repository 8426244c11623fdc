/**
 * The model families `lepton.automl` searches over, in the order of its first round: each one module.
 */
import { baselineFamily } from './baseline.js';
import type { Family } from './family.js';
import { gbmFamily } from './gbm.js';
import { linearFamily } from './linear.js';
import { mlpFamily } from './mlp.js';

export type { Family, FamilyContext, FamilyModel } from './family.js';

/** Every family, by name, in first-round order. */
export const FAMILIES: readonly Family[] = [baselineFamily, linearFamily, gbmFamily, mlpFamily];
