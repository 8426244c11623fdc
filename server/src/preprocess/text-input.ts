/**
 * Raw text the server vectorizes: a version deployed with `rawInput: { kind: "text", vectorizer }` (the JSON of a
 * fitted `lepton.preprocess.textVectorizer`) takes, with `parameters.lepton_preprocess`, one BYTES input `texts` of
 * UTF-8 strings and vectorizes them with `text.ts`, the implementation the notebook fitted and transformed with:
 *
 *     { "parameters": { "lepton_preprocess": true },
 *       "inputs": [{ "name": "texts", "datatype": "BYTES", "shape": [1], "data": ["WIN a FREE cruise!!!"] }] }
 *
 * Any string gets an answer: empty, emoji, CJK, or a megabyte of text (ids past the sequence length are dropped, as
 * in the notebook). An element that is not a string is a 400 `LEPTON_BAD_TEXT` naming its index.
 */
import { errors } from '../errors.js';
import type { TensorSpec } from '../wire/tensor-spec.js';
import type { Feed } from '../tensors.js';
import type { TransformJSON } from './format.js';
import {
  compileText,
  ngramRange,
  outputWidth,
  splitter,
  TextOptionError,
  vectorizeInto,
  type TextConfigJSON,
  type TextState,
  type TextVectorizing,
} from './text.js';

/** A raw text input's description, as kept in a version's `meta.json` under `rawInput`. */
export interface TextSpec {
  /** The kind of raw input (`text`). */
  kind: 'text';
  /** The fitted text vectorizer's JSON (`vectorizer.toJSON()`), applied to every text. */
  vectorizer: TransformJSON;
}

const MODES = ['int', 'multiHot', 'count', 'tfidf'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((t) => typeof t === 'string');

/** Checks a `{ kind: 'text', vectorizer }` spec: a fitted textVectorizer's JSON. Throws `LEPTON_BAD_META` naming the field. */
export function parseTextSpec(value: unknown): TextSpec {
  const bad = (problem: string) =>
    errors.badMeta(
      `rawInput (text): ${problem}; deploy with transforms: [vectorizer], a fitted lepton.preprocess.textVectorizer.`,
    );
  if (!isObject(value) || !isObject(value.vectorizer)) throw bad('"vectorizer" must be the JSON of a text vectorizer');
  const v = value.vectorizer;
  if (v.kind !== 'textVectorizer') throw bad(`"vectorizer" is of kind ${JSON.stringify(v.kind)}, not textVectorizer`);
  if (v.version !== 1)
    throw bad(`"vectorizer" has format version ${JSON.stringify(v.version)}; this server reads version 1`);
  if (!isObject(v.config)) throw bad('"vectorizer.config" must be an object');
  const state = v.state;
  if (!isObject(state)) throw bad('the vectorizer is not fitted');
  if (!strings(state.tokens) || !Array.isArray(state.counts) || typeof state.documents !== 'number')
    throw bad('"vectorizer.state" lacks its tokens, counts or documents');
  const config = v.config as TextConfigJSON;
  if (config.outputMode !== undefined && !MODES.includes(config.outputMode))
    throw bad(`outputMode ${JSON.stringify(config.outputMode)} is not one of ${MODES.join(', ')}`);
  if (config.outputMode === 'tfidf' && !Array.isArray(state.idf)) throw bad("a tfidf vectorizer's state lacks its idf");
  try {
    ngramRange(config.ngrams);
    splitter(config.split ?? 'whitespace');
  } catch (error) {
    if (error instanceof TextOptionError) throw bad(error.message);
    throw error;
  }
  return { kind: 'text', vectorizer: { kind: 'textVectorizer', version: 1, config: v.config, state } };
}

// Compiled once per spec (a version's meta is read once and kept), not per request.
const compiled = new WeakMap<TextSpec, TextVectorizing>();
function vectorizerOf(spec: TextSpec): TextVectorizing {
  let v = compiled.get(spec);
  if (!v) compiled.set(spec, (v = compileText(spec.vectorizer.config, spec.vectorizer.state as TextState)));
  return v;
}

/** Checks that the model's input takes the vectorizer's rows. Throws `LEPTON_BAD_META` naming the mismatch. */
export function checkTextModel(spec: TextSpec, model: TensorSpec): void {
  const v = vectorizerOf(spec);
  if (v.mode === 'int' && v.sequenceLength === undefined) {
    throw errors.badMeta(
      "rawInput (text): the vectorizer has no sequenceLength, so its rows vary in length; fit one with a sequenceLength (the model's input length).",
    );
  }
  const width = outputWidth(v);
  const types = v.mode === 'int' ? ['INT32', 'FP32'] : ['FP32'];
  const fits =
    types.includes(model.datatype) && model.shape.length === 2 && (model.shape[1] === -1 || model.shape[1] === width);
  if (!fits) {
    throw errors.badMeta(
      `rawInput (text): the vectorizer makes ${v.mode === 'int' ? `${width} token ids` : `${width} ${v.mode} values`} per text, but the model's input "${model.name}" is ${model.datatype} [${model.shape.join(', ')}]; deploy the model with the vectorizer it was trained on.`,
    );
  }
}

/** The model input's feed for a request's texts: each vectorized into its row. Throws `LEPTON_BAD_TEXT` for non-strings. */
export function decodeTexts(spec: TextSpec, elements: readonly unknown[], model: TensorSpec): Feed {
  const bad = elements.flatMap((e, index) =>
    typeof e === 'string' ? [] : [{ index, type: e === null ? 'null' : Array.isArray(e) ? 'array' : typeof e }],
  );
  if (bad.length > 0) throw errors.badText(bad, elements.length);
  const v = vectorizerOf(spec);
  const width = outputWidth(v);
  const data =
    model.datatype === 'INT32' ? new Int32Array(elements.length * width) : new Float32Array(elements.length * width);
  (elements as readonly string[]).forEach((text, i) => {
    vectorizeInto(v, text, data, i * width, width);
  });
  return { data, shape: [elements.length, width] };
}
