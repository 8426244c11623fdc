import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { displaySymbol } from '../display/mime.js';
import { embeddingBag } from '../models/index.js';
import { textVectorizer } from '../preprocess/index.js';
import { tokens } from './tokens.js';

before(async () => {
  await tf.setBackend('cpu');
});

const texts = ['free money now', 'meeting at noon', 'free cruise', 'the meeting notes'];

/** A logistic model on multi-hot rows whose weights say: "free" is spam, "meeting" is ham, other words nothing. */
function spamModel(vocabulary: string[]): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [vocabulary.length], activation: 'sigmoid' })],
  });
  const kernel = vocabulary.map((t) => (t === 'free' ? 4 : t === 'meeting' ? -4 : 0));
  model.setWeights([tf.tensor2d(kernel, [vocabulary.length, 1]), tf.tensor1d([0])]);
  return model;
}

test('explain.tokens gives each word the drop in the class probability without it: positive for, negative against', () => {
  const vectorizer = textVectorizer({ outputMode: 'multiHot' }).fit(texts);
  const model = spamModel(vectorizer.vocabulary());
  const spam = tokens(model, 'FREE money, free!', { vectorizer, classNames: ['ham', 'spam'] });
  assert.equal(spam.predicted, 1);
  assert.ok(Math.abs(spam.probabilities[1]! - 1 / (1 + Math.exp(-4))) < 1e-6);
  assert.deepEqual(
    spam.tokens.map((t) => t.token),
    ['free', 'money', 'free'],
  );
  // Multi-hot: leaving one "free" out keeps the other, so neither changes anything; "money" carries no weight.
  assert.deepEqual(
    spam.tokens.map((t) => Math.abs(t.contribution!) < 1e-6),
    [true, true, true],
  );
  const mixed = tokens(model, 'free meeting today', { vectorizer, target: 1 });
  const [free, meeting, today] = mixed.tokens.map((t) => t.contribution!);
  assert.ok(Math.abs(free! - (0.5 - 1 / (1 + Math.exp(4)))) < 1e-6, `free: ${free}`);
  assert.ok(Math.abs(meeting! - (0.5 - 1 / (1 + Math.exp(-4)))) < 1e-6, `meeting: ${meeting}`);
  assert.ok(Math.abs(today!) < 1e-6);
  assert.deepEqual(
    mixed.top(1).map((t) => t.token),
    ['free'],
  );
});

test('the explanation displays the words highlighted by contribution, as HTML, and names the class', () => {
  const vectorizer = textVectorizer({ outputMode: 'multiHot' }).fit(texts);
  const bundle = tokens(spamModel(vectorizer.vocabulary()), 'free meeting', {
    vectorizer,
    classNames: ['ham', 'spam'],
    target: 1,
  })[displaySymbol]();
  const html = bundle['text/html'] as string;
  assert.match(html, /predicted ham \(0\.500\), explaining spam \(0\.500\)/);
  assert.match(html, /<span style="background:rgba\(220,38,38,1\.00\)[^"]*" title="\+0\.\d+">free<\/span>/);
  assert.match(html, /<span style="background:rgba\(37,99,235,1\.00\)[^"]*" title="-0\.\d+">meeting<\/span>/);
  assert.match(bundle['text/plain'] as string, /\+0\.\d+ {2}free/);
  const raw = textVectorizer({ outputMode: 'multiHot', standardize: 'lower' }).fit(['<b>free</b>']);
  const escaped = tokens(spamModel(raw.vocabulary()), '<b>free</b>', { vectorizer: raw })[displaySymbol]()[
    'text/html'
  ] as string;
  assert.ok(escaped.includes('&lt;b&gt;free&lt;/b&gt;') && !escaped.includes('<b>free'), 'the text is escaped');
});

test('a model of token ids is explained over the words within its sequence length; later words are shown plain', () => {
  const vectorizer = textVectorizer({ sequenceLength: 4 }).fit(texts);
  const model = embeddingBag({ vectorizer, embedding: 4, classes: 2, seed: 1 });
  const out = tokens(model, 'free money now and more words', { vectorizer });
  assert.equal(out.tokens.length, 6);
  assert.deepEqual(
    out.tokens.map((t) => t.contribution === null),
    [false, false, false, false, true, true],
  );
  assert.ok(out.tokens.slice(0, 4).every((t) => Number.isFinite(t.contribution!)));
  assert.throws(() => tokens(model, 'x', {} as never), /pass the fitted vectorizer/);
  assert.throws(() => tokens(model, 'x', { vectorizer, target: 5 }), /target must be a class index 0\.\.1/);
});
