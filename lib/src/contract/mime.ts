/**
 * The MIME types of Lepton's own outputs: the library writes bundles under them, the JupyterLab extension renders
 * them. Both sides import these constants (the extension as `@lepton/lib/contract`), so a type is spelled once.
 */

/** A model's card (`lepton.summary`, or a tfjs model as a cell result): {@link ModelSummaryJson}. */
export const MODEL_MIME = 'application/vnd.lepton.model+json';

/** A deployment's card (`lepton.deploy`'s result): {@link DeploymentCardData}. */
export const DEPLOYMENT_MIME = 'application/vnd.lepton.deployment+json';

/** The live training chart `lepton.fit` shows and updates in place: {@link TrainingBundle}. */
export const TRAINING_MIME = 'application/vnd.lepton.training+json';

/** One of Lepton's own MIME types. */
export type LeptonMimeType = typeof MODEL_MIME | typeof DEPLOYMENT_MIME | typeof TRAINING_MIME;
