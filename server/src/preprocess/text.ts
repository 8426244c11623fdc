/**
 * Text vectorizing, the one implementation shared by `lepton.preprocess.textVectorizer` (fitting, transforming in
 * a notebook) and the server (vectorizing raw text a request carries): standardizing, splitting into tokens,
 * n-grams, learning a vocabulary, and turning token lists into ids, multi-hot, count or tf-idf rows. The
 * semantics follow Keras's `TextVectorization`: in `int` mode id 0 pads and id 1 is the out-of-vocabulary token; in
 * the other modes id 0 is the out-of-vocabulary token. Pure and dependency-free, like the rest of this folder.
 */

/** How text is standardized before splitting. */
export type Standardize = 'lowerAndStripPunctuation' | 'lower' | 'stripPunctuation' | 'none';

/** How standardized text splits into tokens: whitespace, characters, or a pattern's matches as separators. */
export type SplitJSON = 'whitespace' | 'character' | { pattern: string; flags: string };

/** What a vectorized row holds. */
export type OutputMode = 'int' | 'multiHot' | 'count' | 'tfidf';

/** The idf formula of `tfidf` mode: Keras's `log(1 + n / (1 + df))` or scikit-learn's smooth `ln((1 + n) / (1 + df)) + 1`. */
export type IdfFormula = 'keras' | 'smooth';

/** The options of a text vectorizer as JSON (its transform `config`, RegExp split as `{ pattern, flags }`). */
export interface TextConfigJSON {
  /** The frame column holding the text (default `text`). */
  column?: string;
  /** The most tokens the vocabulary holds, the padding and out-of-vocabulary ids included (as in Keras). */
  maxTokens?: number;
  outputMode?: OutputMode;
  /** Up to n-grams of n tokens (a number), or n-grams of lengths `[min, max]`. */
  ngrams?: number | [number, number];
  /** `int` mode: rows padded with 0 or truncated to this many ids (default: the longest row of each call). */
  sequenceLength?: number;
  standardize?: Standardize;
  split?: SplitJSON;
  /** Tokens (or n-grams) to drop after splitting, compared after standardizing. */
  stopWords?: string[];
  /** A vocabulary given instead of fitted, most important first, without the padding and OOV tokens. */
  vocabulary?: string[];
  /** `tfidf` mode's idf formula (default `keras`). */
  idf?: IdfFormula;
  /** `tfidf` mode: `l2` scales each row to unit length, as scikit-learn does (default `none`, as Keras). */
  norm?: 'none' | 'l2';
  /** Never split scripts written without spaces (Chinese, Japanese, Thai, …) into words (default false). */
  keepUnspacedRuns?: boolean;
}

/** What fitting a text vectorizer learned (its transform `state`). */
export type TextState = {
  /** The vocabulary's tokens, most frequent first, without the padding and OOV tokens. */
  tokens: string[];
  /** Each token's count in the fitted texts (0 for a given vocabulary). */
  counts: number[];
  /** `tfidf` mode: the idf of the OOV token, then of each token. */
  idf?: number[];
  /** How many texts the vectorizer was fitted on. */
  documents: number;
};

/** The padding token of `int` mode (id 0), as Keras names it. */
export const PAD_TOKEN = '';
/** The out-of-vocabulary token, as Keras names it. */
export const OOV_TOKEN = '[UNK]';

/** A problem in a text vectorizer's options or input; the caller wraps it in its own coded error. */
export class TextOptionError extends Error {}

// Unicode punctuation and the symbol classes Keras's ASCII list covers (math, currency, modifier: + < = > | ~ $ ^ `);
// other symbols (emoji, ©) are words of their own.
const PUNCTUATION = /[\p{P}\p{Sm}\p{Sc}\p{Sk}]/gu;
const NON_ASCII = /[\u0080-\uffff]/;
const WHITESPACE = /\s+/u;
// Scripts written without spaces between words: a whitespace-split run of them is split again into words.
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
let segmenter: Intl.Segmenter | undefined;

/**
 * Standardizes one text: NFKC normalization and case folding (upper then lower case, so `ß` folds to `ss` like
 * `Straße` to `strasse`), then Unicode punctuation removed. ASCII text skips normalization, which leaves it as is.
 */
export function standardizeText(text: string, mode: Standardize): string {
  if (mode === 'none') return text;
  let s = text;
  if (mode !== 'stripPunctuation')
    s = NON_ASCII.test(s) ? s.normalize('NFKC').toUpperCase().toLowerCase() : s.toLowerCase();
  else if (NON_ASCII.test(s)) s = s.normalize('NFKC');
  if (mode !== 'lower') s = s.replace(PUNCTUATION, '');
  return s;
}

/** A compiled split: a function from standardized text to tokens. */
export type Splitter = (text: string) => string[];

/** The splitter of a split option. Throws `TextOptionError` for a pattern that does not compile. */
export function splitter(split: SplitJSON, keepUnspacedRuns = false): Splitter {
  if (split === 'character') return (text) => Array.from(text);
  const pattern = split === 'whitespace' ? WHITESPACE : compilePattern(split);
  return (text) => {
    const parts = text.split(pattern);
    const tokens: string[] = [];
    for (const part of parts) {
      // A pattern with a capturing group yields undefined for a group that did not take part in the match.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- TypeScript types split's parts as strings
      if (part === '' || part === undefined) continue;
      if (!keepUnspacedRuns && UNSPACED.test(part)) tokens.push(...words(part));
      else tokens.push(part);
    }
    return tokens;
  };
}

function compilePattern(split: { pattern: string; flags: string }): RegExp {
  try {
    return new RegExp(split.pattern, split.flags.replace(/g/g, ''));
  } catch (e) {
    throw new TextOptionError(
      `split pattern /${split.pattern}/${split.flags} does not compile: ${(e as Error).message}`,
    );
  }
}

/** The words of a run of text by Unicode word boundaries (ICU's dictionaries for Chinese, Japanese, Thai). */
function words(run: string): string[] {
  segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  const out: string[] = [];
  for (const s of segmenter.segment(run)) if (s.isWordLike || !/^\s*$/u.test(s.segment)) out.push(s.segment);
  return out;
}

/** The n-gram lengths `[min, max]` of an `ngrams` option. Throws `TextOptionError` when it is not 1+ or a range. */
export function ngramRange(ngrams: number | [number, number] | undefined): [number, number] {
  if (ngrams === undefined) return [1, 1];
  const range: [number, number] = typeof ngrams === 'number' ? [1, ngrams] : ngrams;
  // `ngrams` comes from a deployment's JSON: the tuple type says what it should be, the checks what it is.
  if (
    !Array.isArray(range) ||
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    range.length !== 2 ||
    !range.every((n) => Number.isInteger(n) && n >= 1) ||
    range[0] > range[1]
  ) {
    throw new TextOptionError(
      `ngrams must be a whole number ≥ 1 (n-grams up to that length) or a range [min, max] with 1 ≤ min ≤ max, got ${JSON.stringify(ngrams)}`,
    );
  }
  return range;
}

/** The n-grams of `tokens`, shortest first, each joined by a space (as Keras's `tf.strings.ngrams`). */
export function ngramsOf(tokens: string[], [min, max]: [number, number]): string[] {
  if (min === 1 && max === 1) return tokens;
  const out: string[] = [];
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' '));
  }
  return out;
}

/** A compiled tokenizer: text to tokens. */
export interface Tokenizer {
  (text: string): string[];
}

/** Compiles the word-level options of `config` (standardize, split, stop words): text to words, before n-grams. */
export function wordTokenizer(config: TextConfigJSON): Tokenizer {
  const standardize = config.standardize ?? 'lowerAndStripPunctuation';
  const split = splitter(config.split ?? 'whitespace', config.keepUnspacedRuns ?? false);
  const stop =
    config.stopWords && config.stopWords.length > 0
      ? new Set(config.stopWords.map((w) => standardizeText(w, standardize)))
      : null;
  const keep = config.keepUnspacedRuns ?? false;
  // The default options (Keras's) take a single pass over the text, equal to standardizing then splitting.
  const words =
    standardize === 'lowerAndStripPunctuation' && (config.split ?? 'whitespace') === 'whitespace'
      ? (text: string) => standardWords(text, keep)
      : (text: string) => split(standardizeText(text, standardize));
  return stop ? (text) => words(text).filter((t) => !stop.has(t)) : words;
}

// ASCII punctuation and symbols (Keras's list, and what the Unicode classes above hold below 128), by code.
const ASCII_PUNCTUATION = Uint8Array.from({ length: 128 }, (_, c) =>
  new RegExp(PUNCTUATION.source, 'u').test(String.fromCharCode(c)) ? 1 : 0,
);
const isAsciiSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * `splitter('whitespace')(standardizeText(text, 'lowerAndStripPunctuation'))` in one pass: runs between ASCII
 * whitespace are words; an ASCII word is lower-cased and its punctuation dropped in place, and a word with any
 * other character takes the general path (NFKC, case folding, Unicode punctuation and spaces, word segmentation).
 */
function standardWords(text: string, keepUnspacedRuns: boolean): string[] {
  const out: string[] = [];
  const n = text.length;
  // ASCII words are sliced out of the lower-cased text (one native call), others out of the original.
  const lowered = text.toLowerCase();
  let i = 0;
  while (i < n) {
    while (i < n && isAsciiSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let punctuation = false;
    let ascii = true;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        if (isAsciiSpace(c)) break;
        if (ASCII_PUNCTUATION[c]) punctuation = true;
      } else ascii = false;
    }
    if (!ascii || lowered.length !== n) {
      for (const w of generalWords(text.slice(start, i), keepUnspacedRuns)) out.push(w);
      continue;
    }
    if (!punctuation) {
      out.push(lowered.slice(start, i));
      continue;
    }
    let kept = '';
    for (let k = start; k < i; k++) if (!ASCII_PUNCTUATION[lowered.charCodeAt(k)]) kept += lowered[k]!;
    if (kept !== '') out.push(kept);
  }
  return out;
}

const generalSplitters = new Map<boolean, Splitter>();
function generalWords(word: string, keepUnspacedRuns: boolean): string[] {
  let split = generalSplitters.get(keepUnspacedRuns);
  if (!split) generalSplitters.set(keepUnspacedRuns, (split = splitter('whitespace', keepUnspacedRuns)));
  return split(standardizeText(word, 'lowerAndStripPunctuation'));
}

/** Compiles all tokenizing options of `config`: text to the tokens (n-grams) it is counted and vectorized by. */
export function tokenizer(config: TextConfigJSON): Tokenizer {
  const words = wordTokenizer(config);
  const range = ngramRange(config.ngrams);
  return (text) => ngramsOf(words(text), range);
}

/** Where a mode's vocabulary tokens start: after the padding and OOV ids in `int` mode, after OOV otherwise. */
export function tokenStart(mode: OutputMode): number {
  return mode === 'int' ? 2 : 1;
}

/**
 * Learns the vocabulary of `texts`: tokens by count, most frequent first, ties in reverse code-point order as
 * Keras breaks them, at most `maxTokens` ids with the special ones; and in `tfidf` mode each token's idf.
 */
export function learnVocabulary(texts: Iterable<string>, config: TextConfigJSON): TextState {
  const tokenize = tokenizer(config);
  const mode = config.outputMode ?? 'int';
  // One entry per token: its count, the texts holding it, and the last text that counted it (for those).
  const seen = new Map<string, { count: number; docs: number; last: number }>();
  let documents = 0;
  for (const text of texts) {
    documents++;
    for (const t of tokenize(text)) {
      const entry = seen.get(t);
      if (entry === undefined) seen.set(t, { count: 1, docs: 1, last: documents });
      else {
        entry.count++;
        if (entry.last !== documents) {
          entry.docs++;
          entry.last = documents;
        }
      }
    }
  }
  const counts = new Map([...seen].map(([t, e]) => [t, e.count]));
  const docFreq = mode === 'tfidf' ? new Map([...seen].map(([t, e]) => [t, e.docs])) : null;
  let tokens: string[];
  if (config.vocabulary) {
    tokens = [...config.vocabulary];
  } else {
    counts.delete(PAD_TOKEN);
    counts.delete(OOV_TOKEN);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    tokens = ranked.map(([t]) => t);
    if (config.maxTokens !== undefined) tokens = tokens.slice(0, Math.max(0, config.maxTokens - tokenStart(mode)));
  }
  const state: TextState = { tokens, counts: tokens.map((t) => counts.get(t) ?? 0), documents };
  if (docFreq)
    state.idf = idfWeights(
      tokens.map((t) => docFreq.get(t) ?? 0),
      documents,
      config.idf ?? 'keras',
    );
  return state;
}

/** The idf of the OOV token (the mean of the others, as Keras sets it), then of each token. */
function idfWeights(docFreq: number[], documents: number, formula: IdfFormula): number[] {
  const idf = docFreq.map((df) =>
    formula === 'keras' ? Math.log(1 + documents / (1 + df)) : Math.log((1 + documents) / (1 + df)) + 1,
  );
  const mean = idf.length ? idf.reduce((a, b) => a + b, 0) / idf.length : 0;
  return [formula === 'keras' ? mean : 0, ...idf];
}

/** A fitted vectorizer, compiled for fast use: tokenizer, token → id, output width. */
export interface TextVectorizing {
  mode: OutputMode;
  /** Text to words (standardized, split, stop words dropped). */
  words: Tokenizer;
  /** The n-gram lengths made of the words. */
  range: [number, number];
  /** Token → id (padding and OOV ids excluded). */
  ids: Map<string, number>;
  /** The vocabulary size, special tokens included: the width of `multiHot`/`count`/`tfidf` rows, the embedding size for `int`. */
  size: number;
  /** The fixed `int` row length, if any. */
  sequenceLength: number | undefined;
  idf: Float64Array | null;
  norm: boolean;
}

/** Compiles a fitted vectorizer's config and state for vectorizing. */
export function compileText(config: TextConfigJSON, state: TextState): TextVectorizing {
  const mode = config.outputMode ?? 'int';
  const start = tokenStart(mode);
  const ids = new Map<string, number>();
  state.tokens.forEach((t, i) => {
    if (!ids.has(t)) ids.set(t, i + start);
  });
  return {
    mode,
    words: wordTokenizer(config),
    range: ngramRange(config.ngrams),
    ids,
    size: state.tokens.length + start,
    sequenceLength: config.sequenceLength,
    idf: mode === 'tfidf' && state.idf ? Float64Array.from(state.idf) : null,
    norm: config.norm === 'l2',
  };
}

/** The output width of a compiled vectorizer for texts whose longest `int` row is `longest`. */
export function outputWidth(v: TextVectorizing, longest = 0): number {
  return v.mode === 'int' ? (v.sequenceLength ?? longest) : v.size;
}

/** The ids of one text's tokens (OOV as 1), in order: an `int` row before padding. */
export function tokenIds(v: TextVectorizing, text: string): number[] {
  return ngramsOf(v.words(text), v.range).map((t) => v.ids.get(t) ?? 1);
}

/**
 * Writes the row of one text into `out` at `offset` (`width` values, `out` zeroed there): ids padded or truncated
 * for `int`, else one value per vocabulary id.
 */
export function vectorizeInto(
  v: TextVectorizing,
  text: string,
  out: Float32Array | Int32Array,
  offset: number,
  width: number,
): void {
  vectorizeWordsInto(v, v.words(text), out, offset, width);
}

/** `vectorizeInto` for a text already split into words (explanations vectorize a text with words left out). */
export function vectorizeWordsInto(
  v: TextVectorizing,
  words: string[],
  out: Float32Array | Int32Array,
  offset: number,
  width: number,
): void {
  const tokens = ngramsOf(words, v.range);
  if (v.mode === 'int') {
    const n = Math.min(tokens.length, width);
    for (let i = 0; i < n; i++) out[offset + i] = v.ids.get(tokens[i]!) ?? 1;
    return;
  }
  // Only the ids a text touches are visited: rows are as wide as the vocabulary but mostly zeros.
  const touched: number[] = [];
  for (const t of tokens) {
    const at = offset + (v.ids.get(t) ?? 0);
    if (out[at] === 0) touched.push(at);
    if (v.mode === 'multiHot') out[at] = 1;
    else out[at]! += 1;
  }
  if (v.mode !== 'tfidf' || !v.idf) return;
  let sum = 0;
  for (const at of touched) {
    const value = out[at]! * v.idf[at - offset]!;
    out[at] = value;
    sum += value * value;
  }
  if (v.norm && sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (const at of touched) out[at]! *= scale;
  }
}

/** Vectorizes `texts` into one row-major array of `texts.length × width` (Int32 for `int` mode, else Float32). */
export function vectorizeTexts(
  v: TextVectorizing,
  texts: readonly string[],
): { data: Float32Array | Int32Array; width: number } {
  if (v.mode === 'int' && v.sequenceLength === undefined) {
    const rows = texts.map((t) => tokenIds(v, t));
    const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
    const data = new Int32Array(texts.length * width);
    rows.forEach((r, i) => {
      data.set(r, i * width);
    });
    return { data, width };
  }
  const width = outputWidth(v);
  const data = v.mode === 'int' ? new Int32Array(texts.length * width) : new Float32Array(texts.length * width);
  texts.forEach((t, i) => {
    vectorizeInto(v, t, data, i * width, width);
  });
  return { data, width };
}
