/**
 * The token-id input of the text models (`embeddingBag`, `lstm`, `transformer`): its vocabulary size and sequence
 * length, given as numbers or read from a fitted `textVectorizer` in `int` mode.
 */
import { badArgument } from '../data/errors.js';

/** What a text model reads from a vectorizer (a `lepton.preprocess.textVectorizer`, fitted, `outputMode: 'int'`). */
export interface VectorizerShape {
  /** The output mode; the models read token ids (`int`). */
  readonly mode: string;
  /** Token ids per text (the embedding's input length). */
  readonly sequenceLength: number | undefined;
  /** The vocabulary size, padding and OOV ids included (the embedding's input size). */
  readonly vocabularySize: number;
}

/** The token-id input options of a text model. */
export interface TextInputOptions {
  /** A fitted `int`-mode vectorizer with a `sequenceLength`: `steps` and `vocabulary` are read from it. */
  vectorizer?: VectorizerShape;
  /** Sequence length (token ids per text), unless a vectorizer gives it. */
  steps?: number;
  /** Vocabulary size of the token ids, unless a vectorizer gives it. */
  vocabulary?: number;
}

/** The `steps` and `vocabulary` of a text model's options, from its vectorizer or as given; errors name the fix. */
export function textInput(options: TextInputOptions, model: string): { steps: number; vocabulary: number } {
  const v = options.vectorizer;
  if (v) {
    if (v.mode !== 'int')
      throw badArgument(
        `${model}: the vectorizer's outputMode is '${v.mode}'; the model reads token ids, so fit a textVectorizer with outputMode 'int'.`,
      );
    if (v.sequenceLength === undefined)
      throw badArgument(
        `${model}: the vectorizer has no sequenceLength; give it one (e.g. textVectorizer({ sequenceLength: 200 })) so every text has the same number of ids.`,
      );
    const vocabulary = v.vocabularySize; // throws LEPTON_NOT_FITTED for a vectorizer not fitted yet
    return { steps: options.steps ?? v.sequenceLength, vocabulary: options.vocabulary ?? vocabulary };
  }
  const { steps, vocabulary } = options;
  if (!Number.isInteger(steps) || steps! < 1)
    throw badArgument(
      `${model}: steps must be a whole number ≥ 1 (token ids per text), got ${JSON.stringify(steps)}; or pass { vectorizer }.`,
    );
  if (!Number.isInteger(vocabulary) || vocabulary! < 2)
    throw badArgument(
      `${model}: vocabulary must be a whole number ≥ 2 (the vocabulary size), got ${JSON.stringify(vocabulary)}; or pass { vectorizer }.`,
    );
  return { steps: steps!, vocabulary: vocabulary! };
}
