/**
 * Token attributions of one text prediction by leave-one-out occlusion: each word is left out in turn, the text
 * vectorized again, and the drop in the explained class's probability is that word's contribution (negative when
 * the class gains without it). Works for any model that reads the vectorizer's output (token ids for embedding,
 * LSTM and transformer models; multi-hot, counts or tf-idf for an MLP); displays the text with each word
 * highlighted by its contribution, as HTML.
 */
import * as tf from '@tensorflow/tfjs';
import { badArgument } from '../data/errors.js';
import { escapeHtml } from '../display/html.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import type { TextVectorizer } from '../preprocess/text-vectorizer.js';

/** Options of `tokens`. */
export interface TokensOptions {
  /** The fitted vectorizer whose output the model reads. */
  vectorizer: TextVectorizer;
  /** The class to explain (default: the predicted class). */
  target?: number;
  /** Class names for the caption (default: the class indices). */
  classNames?: string[];
  /** The most words explained (default: the vectorizer's sequence length in `int` mode, else 512); later words are shown plain. */
  maxWords?: number;
  /** Rows per prediction batch (default 64). */
  batchSize?: number;
}

/** One word of an explained text and its contribution. */
export interface TokenContribution {
  /** The word, as the vectorizer standardized it. */
  token: string;
  /** p(target | text) − p(target | text without this word); null for a word past `maxWords`, not explained. */
  contribution: number | null;
}

/** What `tokens` computed; displays as the text with its words highlighted (red: for the class, blue: against). */
export class TokenExplanation {
  constructor(
    /** The words, in order, with their contributions. */
    readonly tokens: TokenContribution[],
    /** The class explained. */
    readonly target: number,
    /** The predicted class. */
    readonly predicted: number,
    /** Each class's probability for the whole text. */
    readonly probabilities: number[],
    private readonly classNames?: string[],
  ) {}

  private name(c: number): string {
    return this.classNames?.[c] ?? String(c);
  }

  /** The words with the largest contributions toward the class, most first. */
  top(k = 10): TokenContribution[] {
    return this.tokens
      .filter((t) => t.contribution !== null)
      .sort((a, b) => b.contribution! - a.contribution!)
      .slice(0, k);
  }

  /** One line: what was predicted and explained. */
  caption(): string {
    const p = this.predicted;
    const t = this.target;
    return `predicted ${this.name(p)} (${this.probabilities[p]!.toFixed(3)})${t === p ? '' : `, explaining ${this.name(t)} (${this.probabilities[t]!.toFixed(3)})`}`;
  }

  /** The explanation as a notebook shows it: the caption, and the words on a red (for) / blue (against) scale. */
  [displaySymbol](): MimeBundle {
    const scale = Math.max(1e-9, ...this.tokens.map((t) => Math.abs(t.contribution ?? 0)));
    const spans = this.tokens.map(({ token, contribution }) => {
      const c = contribution ?? 0;
      const alpha = Math.min(1, Math.abs(c) / scale).toFixed(2);
      const color = c >= 0 ? `rgba(220,38,38,${alpha})` : `rgba(37,99,235,${alpha})`;
      const title = contribution === null ? 'not explained' : `${c >= 0 ? '+' : ''}${c.toFixed(4)}`;
      return `<span style="background:${color};padding:1px 2px;border-radius:3px" title="${title}">${escapeHtml(token)}</span>`;
    });
    const html =
      `<div><p><b>${escapeHtml(this.caption())}</b> <small>(word contributions to p(${escapeHtml(this.name(this.target))}) by leaving each out; red for, blue against)</small></p>` +
      `<p style="line-height:1.8">${spans.join(' ')}</p></div>`;
    const text = [
      this.caption(),
      ...this.top(10).map((t) => `${t.contribution! >= 0 ? '+' : ''}${t.contribution!.toFixed(4)}  ${t.token}`),
    ].join('\n');
    return { 'text/html': html, 'text/plain': text };
  }
}

/** The probability rows of a model's output: softmax rows as they are, one sigmoid unit as [1 − p, p]. */
function probabilityRows(output: tf.Tensor): number[][] {
  const rows = output.arraySync() as number[][];
  return rows.map((r) => (r.length === 1 ? [1 - r[0]!, r[0]!] : r));
}

/**
 * Explains one prediction of a text model by the contribution of each word (leave-one-out occlusion).
 * @example lepton.explain.tokens(model, 'WIN a FREE cruise, reply now', { vectorizer, classNames: ['ham', 'spam'] })
 */
export function tokens(model: tf.LayersModel, text: string, options: TokensOptions): TokenExplanation {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!model || typeof model.predict !== 'function')
    throw badArgument('explain.tokens: expected a tfjs model as the first argument.');
  if (typeof text !== 'string')
    throw badArgument(`explain.tokens: expected the text to explain as a string, got ${typeof text}.`);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  const vectorizer = options?.vectorizer;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!vectorizer || typeof vectorizer.vectorizeWords !== 'function')
    throw badArgument('explain.tokens: pass the fitted vectorizer the model reads, as { vectorizer }.');
  const words = vectorizer.words(text);
  const limit = options.maxWords ?? (vectorizer.mode === 'int' ? (vectorizer.sequenceLength ?? 512) : 512);
  const explained = Math.min(words.length, limit);
  // Row 0 is the whole text; row i + 1 leaves word i out.
  const variants = [
    words,
    ...Array.from({ length: explained }, (_, i) => [...words.slice(0, i), ...words.slice(i + 1)]),
  ];
  const batch = options.batchSize ?? 64;
  const probabilities: number[][] = [];
  for (let start = 0; start < variants.length; start += batch) {
    const part = variants.slice(start, start + batch);
    const { data, width } = vectorizer.vectorizeWords(part);
    const rows = tf.tidy(() => {
      const x = tf.tensor2d(data, [part.length, width], vectorizer.mode === 'int' ? 'int32' : 'float32');
      return probabilityRows(model.predict(x) as tf.Tensor);
    });
    probabilities.push(...rows);
  }
  const whole = probabilities[0]!;
  const predicted = whole.indexOf(Math.max(...whole));
  const target = options.target ?? predicted;
  if (!Number.isInteger(target) || target < 0 || target >= whole.length)
    throw badArgument(
      `explain.tokens: target must be a class index 0..${whole.length - 1}, got ${JSON.stringify(options.target)}.`,
    );
  const contributions = words.map((token, i): TokenContribution => ({
    token,
    contribution: i < explained ? whole[target]! - probabilities[i + 1]![target]! : null,
  }));
  return new TokenExplanation(contributions, target, predicted, whole, options.classNames);
}
