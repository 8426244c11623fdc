import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataFrame } from '../data/frame.js';
import { DataError, TypeMismatchError } from '../data/errors.js';
import { displaySymbol } from '../display/mime.js';
import {
  fromJSON,
  pipeline,
  standardScaler,
  textVectorizer,
  TextVectorizer,
  type TextVectorizerOptions,
} from './index.js';

/** What Keras's TextVectorization and scikit-learn's TfidfVectorizer gave on the same strings (fixtures/make_text_fixtures.py). */
const fixtures = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../src/preprocess/fixtures/text.json', import.meta.url)), 'utf8'),
) as {
  train: string[];
  test: string[];
  keras: Record<string, { options: Record<string, unknown>; vocabulary: string[]; output: number[][] }>;
  sklearn: Record<string, { ngram_range: [number, number]; features: string[]; idf: number[]; output: number[][] }>;
};

/** Keras's options as Lepton's. */
function leptonOptions(keras: Record<string, unknown>): TextVectorizerOptions {
  const modes: Record<string, TextVectorizerOptions['outputMode']> = {
    int: 'int',
    multi_hot: 'multiHot',
    count: 'count',
    tf_idf: 'tfidf',
  };
  return {
    outputMode: modes[keras['output_mode'] as string]!,
    ...(keras['max_tokens'] === undefined ? {} : { maxTokens: keras['max_tokens'] as number }),
    ...(keras['output_sequence_length'] === undefined
      ? {}
      : { sequenceLength: keras['output_sequence_length'] as number }),
    ...(keras['ngrams'] === undefined ? {} : { ngrams: keras['ngrams'] as number }),
    ...(keras['split'] === undefined ? {} : { split: keras['split'] as 'character' }),
  };
}

const rows = (vec: TextVectorizer, texts: string[]) => vec.transform(texts).arraySync();

function assertClose(got: number[][], want: number[][], tolerance: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: rows`);
  got.forEach((row, r) => {
    assert.equal(row.length, want[r]!.length, `${what}: row ${r} width`);
    row.forEach((v, j) =>
      assert.ok(Math.abs(v - want[r]![j]!) <= tolerance, `${what}: row ${r} column ${j}: ${v} vs ${want[r]![j]}`),
    );
  });
}

describe("textVectorizer gives Keras's TextVectorization vocabulary and outputs on the same strings", () => {
  for (const [name, c] of Object.entries(fixtures.keras)) {
    test(`${name} (${JSON.stringify(c.options)})`, () => {
      const vec = textVectorizer(leptonOptions(c.options)).fit(fixtures.train);
      assert.deepEqual(vec.vocabulary(), c.vocabulary);
      assert.equal(vec.vocabularySize, c.vocabulary.length);
      assertClose(rows(vec, fixtures.test), c.output, 1e-5, name);
    });
  }
});

describe("tfidf with idf 'smooth' and norm 'l2' gives scikit-learn's TfidfVectorizer values", () => {
  for (const [name, c] of Object.entries(fixtures.sklearn)) {
    test(`${name} (ngram_range ${JSON.stringify(c.ngram_range)})`, () => {
      const vec = textVectorizer({ outputMode: 'tfidf', idf: 'smooth', norm: 'l2', ngrams: c.ngram_range }).fit(
        fixtures.train,
      );
      const vocabulary = vec.vocabulary();
      assert.deepEqual([...vocabulary.slice(1)].sort(), [...c.features].sort(), 'the same tokens');
      // scikit-learn orders columns alphabetically and has no OOV column; Lepton orders by count, OOV (always 0 here) first.
      const column = c.features.map((f) => vocabulary.indexOf(f));
      const got = rows(vec, fixtures.test);
      got.forEach((row) => assert.equal(row[0], 0, 'unknown words are dropped, as scikit-learn drops them'));
      assertClose(
        got.map((row) => column.map((j) => row[j]!)),
        c.output,
        1e-6,
        name,
      );
    });
  }
});

describe('textVectorizer standardizes and splits Unicode text', () => {
  const tokens = (text: string, options: TextVectorizerOptions = {}) => textVectorizer(options).tokenize(text);

  test('NFKC folds compatibility forms (full-width letters, ligatures) and case folding maps ß to ss', () => {
    assert.deepEqual(tokens('ＦＲＥＥ ﬁnance Straße ΣΊΣΥΦΟΣ Ǆ'), ['free', 'finance', 'strasse', 'σίσυφος', 'dž']);
  });

  test('Unicode punctuation of every class is stripped; emoji and other symbols stay as words', () => {
    assert.deepEqual(tokens('“Quoted” «guillemets» ¿qué? 10€ — em-dash 〈x〉 e-mail! 😀 ©'), [
      'quoted',
      'guillemets',
      'qué',
      '10',
      'emdash',
      'x',
      'email',
      '😀',
      '©',
    ]);
  });

  test('Chinese, Japanese and Thai split at word boundaries, not into one giant token', () => {
    const chinese = tokens('我喜欢吃苹果。');
    assert.ok(chinese.length >= 3, `Chinese: ${chinese.join('|')}`);
    assert.equal(chinese.join(''), '我喜欢吃苹果');
    const japanese = tokens('東京タワーに行きました');
    assert.ok(japanese.length >= 3, `Japanese: ${japanese.join('|')}`);
    assert.equal(japanese.join(''), '東京タワーに行きました');
    const thai = tokens('สวัสดีครับไปไหนมา');
    assert.ok(thai.length >= 3, `Thai: ${thai.join('|')}`);
    assert.deepEqual(tokens('hello 世界 world'), ['hello', '世界', 'world']);
  });

  test("split 'character' gives code points (an emoji is one), and a RegExp splits at its matches", () => {
    assert.deepEqual(tokens('a😀中', { split: 'character' }), ['a', '😀', '中']);
    assert.deepEqual(tokens('red|green||blue', { split: /\|+/, standardize: 'none' }), ['red', 'green', 'blue']);
  });

  test("standardize 'none' keeps case and punctuation; stop words are dropped after standardizing", () => {
    assert.deepEqual(tokens('Hello, World!', { standardize: 'none' }), ['Hello,', 'World!']);
    assert.deepEqual(tokens('The cat and THE dog', { stopWords: ['the', 'And'] }), ['cat', 'dog']);
  });

  test('empty, emoji-only and very long texts vectorize; int rows are truncated to the sequence length', () => {
    const vec = textVectorizer({ sequenceLength: 4 }).fit(['spam spam eggs', '😀']);
    const long = 'spam '.repeat(200_000);
    assert.deepEqual(rows(vec, ['', '😀 😀', long]), [
      [0, 0, 0, 0],
      [3, 3, 0, 0],
      [2, 2, 2, 2],
    ]);
  });
});

describe('textVectorizer is a lepton.preprocess transform', () => {
  const texts = ['Free money now', 'Meeting at noon', 'free FREE cruise', 'Lunch at noon?'];

  test('round-trips JSON (a RegExp split included) and restores an equal vectorizer with fromJSON', () => {
    for (const options of [
      { sequenceLength: 5 },
      { outputMode: 'tfidf', ngrams: [1, 2] },
      { outputMode: 'count', split: /[\s,]+/u, maxTokens: 5 },
    ] as TextVectorizerOptions[]) {
      const vec = textVectorizer(options).fit(texts);
      const restored = fromJSON(JSON.stringify(vec));
      assert.ok(restored instanceof TextVectorizer);
      assert.deepEqual(restored.toJSON(), vec.toJSON());
      assert.deepEqual(rows(restored, [...texts, 'unseen, words']), rows(vec, [...texts, 'unseen, words']));
    }
  });

  test('fits on a frame column and replaces it by numbered columns, inside a pipeline with other transforms', () => {
    const frame = DataFrame.from({ text: texts, n: [1, 2, 3, 4] });
    const prep = pipeline([
      textVectorizer({ outputMode: 'multiHot', maxTokens: 4 }),
      standardScaler({ columns: ['n'] }),
    ]).fit(frame);
    const out = prep.transform(frame);
    assert.deepEqual(out.columnNames(), ['text_0', 'text_1', 'text_2', 'text_3', 'n']);
    const vec = prep.steps[0] as TextVectorizer;
    assert.deepEqual(vec.vocabulary(), ['[UNK]', 'free', 'noon', 'at']);
    assert.deepEqual(Array.from(out.array('text_1')), [1, 0, 1, 0]);
    const restored = fromJSON(JSON.stringify(prep));
    assert.deepEqual(restored.transform(frame).objects(), out.objects());
  });

  test('a given vocabulary needs no fitting; ids follow it after the padding and OOV ids', () => {
    const vec = textVectorizer({ vocabulary: ['free', 'money'], sequenceLength: 3 });
    assert.deepEqual(vec.vocabulary(), ['', '[UNK]', 'free', 'money']);
    assert.deepEqual(rows(vec, ['money for free']), [[3, 1, 2]]);
  });

  test('displays its vocabulary: top tokens with ids and counts, as an HTML table', () => {
    const bundle = textVectorizer({ sequenceLength: 8 }).fit(texts)[displaySymbol]();
    const html = bundle['text/html'] as string;
    assert.match(html, /4 texts/);
    assert.match(html, /<tr><td>2<\/td><td>&quot;free&quot;<\/td><td>3<\/td><\/tr>/);
    assert.match(bundle['text/plain'] as string, /"free"\s+3/);
  });

  test('bad options and input are errors naming the problem and the fix', () => {
    assert.throws(
      () => textVectorizer({ outputMode: 'tf_idf' as never }),
      /outputMode must be one of 'int', 'multiHot', 'count', 'tfidf', got "tf_idf"/,
    );
    assert.throws(
      () => textVectorizer({ outputMode: 'count', sequenceLength: 4 }),
      /sequenceLength applies to outputMode 'int' only/,
    );
    assert.throws(() => textVectorizer({ maxTokens: 2 }), /maxTokens must be a whole number above 2/);
    assert.throws(() => textVectorizer({ ngrams: 0 }), /ngrams must be a whole number ≥ 1/);
    assert.throws(
      () => textVectorizer().transform(['x']),
      (e: unknown) => e instanceof DataError && e.code === 'LEPTON_NOT_FITTED',
    );
    assert.throws(
      () => textVectorizer().fit(['ok', 3 as never]),
      (e: unknown) => e instanceof TypeMismatchError && /item 1 is number 3, not a string/.test(e.message),
    );
    assert.throws(() => textVectorizer({ column: 'body' }).fit(DataFrame.from({ text: ['a'] })), /body/);
  });
});
