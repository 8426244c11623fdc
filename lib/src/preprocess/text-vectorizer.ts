/**
 * `textVectorizer`: text to token ids, multi-hot, count or tf-idf rows, as Keras's `TextVectorization`. The
 * tokenizing and vectorizing are the server's (`@lepton/server/preprocess`), so a deployed model vectorizes raw
 * text exactly as the notebook did; this module adds the fit/transform protocol, tensors and the display.
 */
import * as tf from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import {
  compileText,
  learnVocabulary,
  ngramRange,
  ngramsOf,
  OOV_TOKEN,
  outputWidth,
  PAD_TOKEN,
  splitter,
  TextOptionError,
  tokenizer,
  tokenStart,
  vectorizeTexts,
  vectorizeWordsInto,
  wordTokenizer,
  type OutputMode,
  type SplitJSON,
  type TextConfigJSON,
  type TextState,
  type TextVectorizing,
} from '@lepton/server/preprocess';
import { assertColumns, badArgument, DataError, EmptyDataError, TypeMismatchError } from '../data/errors.js';
import { DataFrame } from '../data/frame.js';
import { columnValues, type FrameColumns } from '../data/stats.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { escapeHtml } from '../display/html.js';
import { allColumns, registerTransform, Transform } from './transform.js';

export type { OutputMode, TextState };

/** Options of `textVectorizer` (Keras's `TextVectorization` options, camel-cased). */
export interface TextVectorizerOptions extends Omit<TextConfigJSON, 'split'> {
  /** `whitespace` (default; runs of Chinese, Japanese, Thai… split again at word boundaries), `character`, or a RegExp of separators. */
  split?: 'whitespace' | 'character' | RegExp;
}

const MODES: readonly OutputMode[] = ['int', 'multiHot', 'count', 'tfidf'];
const STANDARDIZE = ['lowerAndStripPunctuation', 'lower', 'stripPunctuation', 'none'];

/** The options as JSON (a RegExp split as its source and flags), checked: a bad option names itself and the fix. */
function configOf(options: TextVectorizerOptions): TextConfigJSON {
  const { split, ...rest } = options;
  const config: TextConfigJSON = { ...rest };
  if (split instanceof RegExp) config.split = { pattern: split.source, flags: split.flags };
  else if (split !== undefined) config.split = split;
  const bad = (message: string) => badArgument(`textVectorizer: ${message}.`);
  if (config.outputMode !== undefined && !MODES.includes(config.outputMode))
    throw bad(
      `outputMode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(config.outputMode)}`,
    );
  if (config.standardize !== undefined && !STANDARDIZE.includes(config.standardize))
    throw bad(
      `standardize must be one of ${STANDARDIZE.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(config.standardize)}`,
    );
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (typeof config.split === 'string' && config.split !== 'whitespace' && config.split !== 'character')
    throw bad(`split must be 'whitespace', 'character' or a RegExp, got ${JSON.stringify(config.split)}`);
  const mode = config.outputMode ?? 'int';
  if (config.maxTokens !== undefined && (!Number.isInteger(config.maxTokens) || config.maxTokens <= tokenStart(mode))) {
    throw bad(
      `maxTokens must be a whole number above ${tokenStart(mode)} (it counts the ${mode === 'int' ? 'padding and OOV ids' : 'OOV id'}), got ${JSON.stringify(config.maxTokens)}`,
    );
  }
  if (config.sequenceLength !== undefined) {
    if (mode !== 'int')
      throw bad(`sequenceLength applies to outputMode 'int' only (this one is '${mode}'); leave it out`);
    if (!Number.isInteger(config.sequenceLength) || config.sequenceLength < 1)
      throw bad(`sequenceLength must be a whole number ≥ 1, got ${JSON.stringify(config.sequenceLength)}`);
  }
  if (
    config.vocabulary !== undefined &&
    (!Array.isArray(config.vocabulary) || !config.vocabulary.every((t) => typeof t === 'string'))
  )
    throw bad('vocabulary must be an array of token strings');
  if (
    config.stopWords !== undefined &&
    (!Array.isArray(config.stopWords) || !config.stopWords.every((t) => typeof t === 'string'))
  )
    throw bad('stopWords must be an array of strings');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (config.idf !== undefined && config.idf !== 'keras' && config.idf !== 'smooth')
    throw bad(`idf must be 'keras' or 'smooth', got ${JSON.stringify(config.idf)}`);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (config.norm !== undefined && config.norm !== 'none' && config.norm !== 'l2')
    throw bad(`norm must be 'none' or 'l2', got ${JSON.stringify(config.norm)}`);
  try {
    ngramRange(config.ngrams);
    splitter(config.split ?? 'whitespace');
  } catch (e) {
    if (e instanceof TextOptionError) throw bad(e.message);
    throw e;
  }
  return config;
}

/** The texts of a fit or transform input: a string array, or a frame's text column (missing values as ''). */
function textsOf(input: ColumnTable | readonly string[], column: string, context: string): string[] {
  const values: readonly unknown[] = Array.isArray(input)
    ? input
    : isFrame(input)
      ? columnOf(input as ColumnTable, column, context)
      : badInput(context);
  return values.map((value, i) => {
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return '';
    throw new TypeMismatchError(
      `${context}: item ${i} is ${typeof value} ${JSON.stringify(value)}, not a string; convert the column to text first (e.g. String(value)).`,
    );
  });
}

const isFrame = (value: unknown): boolean => !!value && typeof (value as { numRows?: unknown }).numRows === 'function';
const badInput = (context: string): never => {
  throw badArgument(`${context}: expected a string array or a DataFrame with a text column.`);
};
function columnOf(frame: ColumnTable, column: string, context: string): unknown[] {
  assertColumns([column], frame.columnNames(), context);
  return columnValues(frame, column);
}

/** Vectorized texts, row-major: one row of `width` values per text (token ids for `int`, else weights). */
export interface VectorizedRows {
  /** The rows, one after the other. */
  data: Float32Array | Int32Array;
  /** Values per row. */
  width: number;
}

/**
 * Turns text into token ids (`int`, for embeddings), or into one value per vocabulary token (`multiHot`, `count`,
 * `tfidf`). Fitted on a string array or a frame's text column; `transform(strings)` gives a tensor, and
 * `transform(frame)` replaces the text column by numbered columns `<column>_0…`, so it can sit in a `pipeline`.
 */
export class TextVectorizer extends Transform<TextState> {
  readonly kind = 'textVectorizer';
  private readonly textConfig: TextConfigJSON;
  private compiled: TextVectorizing | null = null;

  constructor(options: TextVectorizerOptions = {}) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (options === null || typeof options !== 'object')
      throw badArgument(
        'textVectorizer: expected an options object, e.g. textVectorizer({ maxTokens: 20000, sequenceLength: 200 }).',
      );
    this.textConfig = configOf(options);
    // A given vocabulary needs no fitting, except for tf-idf's document frequencies.
    if (this.textConfig.vocabulary && this.mode !== 'tfidf') this.state = learnVocabulary([], this.textConfig);
  }

  /** The output mode. */
  get mode(): OutputMode {
    return this.textConfig.outputMode ?? 'int';
  }

  /** The frame column read by `fit(frame)` and `transform(frame)` (default `text`). */
  get column(): string {
    return this.textConfig.column ?? 'text';
  }

  /** The fixed `int` row length, if set. */
  get sequenceLength(): number | undefined {
    return this.textConfig.sequenceLength;
  }

  /** The vocabulary size, the padding and OOV ids included: the embedding's input size in `int` mode, the row width otherwise. */
  get vocabularySize(): number {
    return this.fittedState('vocabularySize').tokens.length + tokenStart(this.mode);
  }

  /** The vocabulary by id, as Keras's `get_vocabulary()`: `''` (padding, `int` mode only), `[UNK]`, then the tokens. */
  vocabulary(): string[] {
    const tokens = this.fittedState('vocabulary').tokens;
    return [...(this.mode === 'int' ? [PAD_TOKEN] : []), OOV_TOKEN, ...tokens];
  }

  /** The tokens (n-grams) a text is counted by, after standardizing, splitting and dropping stop words. */
  tokenize(text: string): string[] {
    return tokenizer(this.textConfig)(text);
  }

  /** The words of a text (standardized, split, stop words dropped), before n-grams. */
  words(text: string): string[] {
    return wordTokenizer(this.textConfig)(text);
  }

  /** The rows of texts given as word lists (`words(text)`, some perhaps left out), and their width. */
  vectorizeWords(texts: readonly string[][]): VectorizedRows {
    const v = this.compiledVectorizer();
    const width = outputWidth(
      v,
      texts.reduce((m, w) => Math.max(m, ngramsOf(w, v.range).length), 0),
    );
    const data = this.mode === 'int' ? new Int32Array(texts.length * width) : new Float32Array(texts.length * width);
    texts.forEach((w, i) => vectorizeWordsInto(v, w, data, i * width, width));
    return { data, width };
  }

  /** Learns the vocabulary (and idf) from a string array or a frame's text column. */
  override fit(input: ColumnTable | readonly string[]): this {
    const texts = textsOf(input, this.column, `${this.kind}.fit`);
    if (texts.length === 0) throw new EmptyDataError(`${this.kind}.fit: no texts to fit on; pass at least one string.`);
    this.state = learnVocabulary(texts, this.textConfig);
    this.compiled = null;
    return this;
  }

  /** Vectorizes strings into a tensor: `int32` [n, length] ids in `int` mode, else `float32` [n, vocabularySize]. */
  override transform(texts: readonly string[]): tf.Tensor2D;
  /** Replaces the frame's text column by the numbered output columns `<column>_0…` (for pipelines). */
  override transform(frame: ColumnTable): DataFrame;
  override transform(input: ColumnTable | readonly string[]): tf.Tensor2D | DataFrame {
    if (!Array.isArray(input)) return super.transform(input as ColumnTable);
    const { data, width } = this.vectorize(textsOf(input, this.column, `${this.kind}.transform`));
    return tf.tensor2d(data, [input.length, width], this.mode === 'int' ? 'int32' : 'float32');
  }

  /** `fit(input)` then `transform(input)`. */
  override fitTransform(texts: readonly string[]): tf.Tensor2D;
  override fitTransform(frame: ColumnTable): DataFrame;
  override fitTransform(input: ColumnTable | readonly string[]): tf.Tensor2D | DataFrame {
    this.fit(input);
    return Array.isArray(input) ? this.transform(input as readonly string[]) : this.transform(input as ColumnTable);
  }

  /** The row-major output of `texts` and its width (used by `transform`, and by callers that need no tensor). */
  vectorize(texts: readonly string[]): VectorizedRows {
    return vectorizeTexts(this.compiledVectorizer(), texts);
  }

  override restore(state: Record<string, unknown> | null): this {
    this.compiled = null;
    return super.restore(state);
  }

  protected config(): Record<string, unknown> {
    return { ...this.textConfig };
  }

  protected learn(frame: ColumnTable): TextState {
    return learnVocabulary(textsOf(frame, this.column, `${this.kind}.fit`), this.textConfig);
  }

  protected apply(frame: ColumnTable): FrameColumns {
    const texts = textsOf(frame, this.column, `${this.kind}.transform`);
    const { data, width } = this.vectorize(texts);
    const input = allColumns(frame);
    const out: FrameColumns = { names: [], columns: {} };
    for (const name of input.names) {
      if (name !== this.column) {
        out.names.push(name);
        out.columns[name] = input.columns[name]!;
        continue;
      }
      for (let j = 0; j < width; j++) {
        const values = this.mode === 'int' ? new Int32Array(texts.length) : new Float32Array(texts.length);
        for (let r = 0; r < texts.length; r++) values[r] = data[r * width + j]!;
        out.names.push(`${name}_${j}`);
        out.columns[`${name}_${j}`] = values;
      }
    }
    return out;
  }

  private fittedState(what: string): TextState {
    if (!this.state)
      throw new DataError(
        'LEPTON_NOT_FITTED',
        `${this.kind}.${what}: the vectorizer is not fitted; call fit(texts) first (or give a vocabulary).`,
      );
    return this.state;
  }

  private compiledVectorizer(): TextVectorizing {
    this.compiled ??= compileText(this.textConfig, this.fittedState('transform'));
    return this.compiled;
  }

  /** The vectorizer as a notebook shows it: its mode and size, and its top tokens with ids and counts. */
  [displaySymbol](): MimeBundle {
    const head = `textVectorizer · ${this.mode}${this.sequenceLength ? ` · sequence length ${this.sequenceLength}` : ''}`;
    if (!this.state)
      return { 'text/html': `<p><b>${escapeHtml(head)}</b> · not fitted</p>`, 'text/plain': `${head} · not fitted` };
    const state = this.state;
    const start = tokenStart(this.mode);
    const top = state.tokens.slice(0, 20).map((token, i) => ({
      id: i + start,
      token,
      count: state.counts[i] ?? 0,
      ...(state.idf ? { idf: state.idf[i + 1]! } : {}),
    }));
    const summary = `${head} · ${this.vocabularySize.toLocaleString('en-US')} ids (${state.tokens.length.toLocaleString('en-US')} tokens + ${this.mode === 'int' ? "padding '' and " : ''}${OOV_TOKEN}) · fitted on ${state.documents.toLocaleString('en-US')} texts`;
    const rows = top
      .map(
        (t) =>
          `<tr><td>${t.id}</td><td>${escapeHtml(JSON.stringify(t.token))}</td><td>${t.count.toLocaleString('en-US')}</td>${t.idf === undefined ? '' : `<td>${t.idf.toFixed(3)}</td>`}</tr>`,
      )
      .join('');
    const html = `<p><b>${escapeHtml(summary)}</b></p><table><thead><tr><th>id</th><th>token</th><th>count</th>${state.idf ? '<th>idf</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>${state.tokens.length > top.length ? `<p><small>top ${top.length} of ${state.tokens.length.toLocaleString('en-US')} tokens</small></p>` : ''}`;
    const text = [
      summary,
      ...top.map((t) => `${String(t.id).padStart(6)}  ${JSON.stringify(t.token).padEnd(24)} ${t.count}`),
    ].join('\n');
    return { 'text/html': html, 'text/plain': text };
  }
}

/**
 * A text vectorizer (Keras's `TextVectorization`).
 * @example const vec = lepton.preprocess.textVectorizer({ maxTokens: 20000, sequenceLength: 200 }).fit(train.array('text'))
 * @example const x = vec.transform(['free money!!!', 'meeting at noon'])
 */
export function textVectorizer(options?: TextVectorizerOptions): TextVectorizer {
  return new TextVectorizer(options);
}

registerTransform('textVectorizer', (config) => new TextVectorizer(textOptionsOf(config)));

/** The options of a config read from JSON: a `{ pattern, flags }` split becomes its RegExp again. */
function textOptionsOf(config: TextConfigJSON): TextVectorizerOptions {
  const { split, ...rest } = config;
  const s: SplitJSON | undefined = split;
  return { ...rest, ...(s === undefined ? {} : { split: typeof s === 'string' ? s : new RegExp(s.pattern, s.flags) }) };
}
