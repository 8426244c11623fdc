// Raw text through the real server process: text models deployed with their vectorizer (transforms: [vectorizer])
// answer UTF-8 strings (predictText, or a plain fetch of BYTES texts with parameters.lepton_preprocess) with the
// probabilities the model gives the notebook's vectorized texts and their class labels; any string gets an answer
// (empty, emoji, CJK, a megabyte), and an element that is not a string is a 400 naming its index.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { stopServer } from '@lepton/server';

const home = mkdtempSync(join(tmpdir(), 'lepton-text-it-'));

const train = [
  'Win a FREE cruise, reply now to claim your prize',
  'Meeting moved to noon, the agenda is attached',
  'Cheap meds online!!! no prescription needed',
  'Can you review my draft of the report before Friday?',
  'You have been selected for a cash reward, click here',
  'Lunch tomorrow with the team at the usual place',
];
const texts = [
  '',
  'FREE cash prize!!! 😀😀',
  '会议改到中午，请查收议程',
  '東京タワーに行きました',
  'the agenda for lunch',
  `claim your prize ${'now '.repeat(262_144)}`,
];

/** The local model's probabilities for `texts` vectorized in the notebook, as [1 − p, p] for one sigmoid unit. */
function localProbabilities(model: tf.LayersModel, vectorizer: lepton.preprocess.TextVectorizer): number[][] {
  const rows = tf.tidy(() => (model.predict(vectorizer.transform(texts)) as tf.Tensor).arraySync() as number[][]);
  return rows.map((r) => (r.length === 1 ? [1 - r[0]!, r[0]!] : r));
}

describe('raw text vectorized by the server', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(async () => {
    await stopServer({ home });
    rmSync(home, { recursive: true, force: true });
  });

  const cases: Array<[string, () => { vectorizer: lepton.preprocess.TextVectorizer; model: tf.LayersModel }]> = [
    [
      'a transformer on token ids',
      () => {
        const vectorizer = lepton.preprocess.textVectorizer({ maxTokens: 50, sequenceLength: 16 }).fit(train);
        return {
          vectorizer,
          model: lepton.models.transformer({ vectorizer, classes: 2, dModel: 8, heads: 2, layers: 1, seed: 1 }),
        };
      },
    ],
    [
      'a binary LSTM on token ids',
      () => {
        const vectorizer = lepton.preprocess.textVectorizer({ sequenceLength: 10 }).fit(train);
        return {
          vectorizer,
          model: lepton.models.lstm({ vectorizer, embedding: 8, units: [6], classes: 2, binary: true, seed: 2 }),
        };
      },
    ],
    [
      'an MLP on tf-idf rows',
      () => {
        const vectorizer = lepton.preprocess.textVectorizer({ outputMode: 'tfidf', ngrams: 2 }).fit(train);
        return {
          vectorizer,
          model: lepton.models.mlp({ inputs: vectorizer.vocabularySize, hidden: [8], classes: 2, seed: 3 }),
        };
      },
    ],
  ];

  cases.forEach(([what, build], k) => {
    test(`${what}: served texts get the local probabilities and labels, empty, emoji, CJK and 1 MB texts included`, async () => {
      const { vectorizer, model } = build();
      const deployment = await lepton.deploy(model, {
        name: `text-${k}`,
        transforms: [vectorizer],
        classes: ['ham', 'spam'],
        home,
        port: 0,
      });
      const status = await deployment.status();
      assert.equal(status.meta?.rawInput?.kind, 'text');
      assert.deepEqual(status.meta.classes, ['ham', 'spam']);
      const local = localProbabilities(model, vectorizer);
      const served = await deployment.predictText(texts);
      assert.equal(served.length, texts.length);
      let most = 0;
      served.forEach((p, i) => {
        p.probabilities.forEach((q, c) => (most = Math.max(most, Math.abs(q - local[i]![c]!))));
        const best = local[i]![1]! > local[i]![0]! ? 1 : 0;
        assert.equal(p.label, ['ham', 'spam'][best]);
        assert.equal(p.probability, p.probabilities[best]);
      });
      assert.ok(most < 1e-5, `served and local probabilities differ by ${most}`);
    });
  });

  test('a plain HTTP client posts BYTES texts; a non-string element is a 400 naming its index, a wrong input a 400 saying what to send', async () => {
    const vectorizer = lepton.preprocess.textVectorizer({ sequenceLength: 8 }).fit(train);
    const model = lepton.models.embeddingBag({ vectorizer, embedding: 4, classes: 2, seed: 4 });
    const deployment = await lepton.deploy(model, {
      name: 'spam-http',
      transforms: [vectorizer],
      classes: ['ham', 'spam'],
      home,
      port: 0,
    });
    const post = (inputs: unknown[]) =>
      fetch(`${deployment.url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parameters: { lepton_preprocess: true }, inputs }),
      });
    const good = await post([
      { name: 'texts', datatype: 'BYTES', shape: [2], data: ['WIN a FREE cruise!!!', 'see you at lunch'] },
    ]);
    assert.equal(good.status, 200);
    const body = (await good.json()) as {
      outputs: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }>;
    };
    assert.deepEqual(
      body.outputs.map((o) => [o.name, o.datatype, o.shape]),
      [
        [model.outputNames[0], 'FP32', [2, 2]],
        ['label', 'BYTES', [2]],
      ],
    );
    assert.deepEqual(
      body.outputs[1]!.data,
      (await deployment.predictText(['WIN a FREE cruise!!!', 'see you at lunch'])).map((p) => p.label),
    );

    const bad = await post([{ name: 'texts', datatype: 'BYTES', shape: [3], data: ['ok', 42, 'fine'] }]);
    assert.equal(bad.status, 400);
    const error = (await bad.json()) as { code: string; error: string; details: { indexes: number[] } };
    assert.deepEqual([error.code, error.details.indexes], ['LEPTON_BAD_TEXT', [1]]);
    assert.match(error.error, /^Element 1 \(number\) of the 3 in the request is not a string/);

    const wrong = await post([{ name: 'records', datatype: 'BYTES', shape: [1], data: ['x'] }]);
    assert.equal(wrong.status, 400);
    const why = (await wrong.json()) as { code: string; error: string };
    assert.equal(why.code, 'LEPTON_BAD_RAW_INPUT');
    assert.match(why.error, /"name": "texts", "datatype": "BYTES", "shape": \[n\], "data": \[n UTF-8 strings\]/);

    await assert.rejects(deployment.predictText(['ok', 7 as never]), /item 1 is number, not a string/);
  });

  test('the deploy is refused when the vectorizer does not make what the model reads, naming both', async () => {
    const vectorizer = lepton.preprocess.textVectorizer({ sequenceLength: 8 }).fit(train);
    const other = lepton.preprocess.textVectorizer({ sequenceLength: 12 }).fit(train);
    const model = lepton.models.embeddingBag({ vectorizer: other, embedding: 4, classes: 2, seed: 5 });
    await assert.rejects(
      lepton.deploy(model, { name: 'mismatch', transforms: [vectorizer], home, port: 0 }),
      (e: Error & { serverCode?: string }) =>
        e.serverCode === 'LEPTON_BAD_META' &&
        /makes 8 token ids per text, but the model's input "[^"]+" is INT32 \[-1, 12\]/.test(e.message),
    );
    await assert.rejects(
      lepton.deploy(model, { name: 'mixed', transforms: [other, lepton.preprocess.standardScaler()], home, port: 0 }),
      /transforms: \[vectorizer\] alone/,
    );
  });
});
