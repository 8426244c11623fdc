/**
 * Deploying a text model: a fitted text vectorizer given in `transforms` becomes the deployment's raw input
 * (`rawInput: { kind: 'text', vectorizer }`), so the server takes texts and vectorizes them as the notebook did.
 */
import type { TextSpec } from '@lepton/server/preprocess';
import { TextVectorizer } from '../preprocess/text-vectorizer.js';
import { DeployError } from './errors.js';

/** The text raw input of a deploy's transforms: `[vectorizer]` alone, fitted; undefined when they hold no vectorizer. */
export function textInputOf(transforms: readonly unknown[] | undefined): TextSpec | undefined {
  if (!transforms || !transforms.some((t) => t instanceof TextVectorizer)) return undefined;
  if (transforms.length !== 1) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      "deploy: a text vectorizer is the model's whole input; deploy with transforms: [vectorizer] alone (the server takes texts, not records).",
    );
  }
  const vectorizer = transforms[0] as TextVectorizer;
  if (!vectorizer.fitted)
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      'deploy: the text vectorizer is not fitted; fit it on the training texts first.',
    );
  return { kind: 'text', vectorizer: vectorizer.toJSON() };
}
