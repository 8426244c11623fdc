import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { ensureServer, stopServer } from '@lepton/server';
import { rawInputRequest } from '@lepton/server/preprocess';
import { anchorsDir, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';
import { load } from './serve.js';

/** Vocabulary size of every vectorizer in the suite (Lepton's, scikit-learn's, Keras's). */
const MAX_TOKENS = 5000;

interface PeerResult {
  sklearn_docs_per_s?: number;
  sklearn_f1?: number;
  keras_docs_per_s?: number;
  sklearn_error?: string;
  keras_error?: string;
}

/** scikit-learn and Keras on the corpus and split written to `corpusPath`; null when they cannot run. */
function peers(corpusPath: string, log: (line: string) => void): PeerResult | null {
  const python = join(anchorsDir, 'venv', 'bin', 'python');
  if (!existsSync(python)) {
    log(`scikit-learn/Keras missing: no ${python} (run ../shared/anchors/setup.sh)`);
    return null;
  }
  try {
    const out = execFileSync(
      python,
      [join(repoRoot, 'bench', 'python', 'text_peer.py'), corpusPath, String(MAX_TOKENS)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000 },
    );
    const result = JSON.parse(out.trim().split('\n').pop()!) as PeerResult;
    if (result.sklearn_error) log(`scikit-learn: ${result.sklearn_error}`);
    if (result.keras_error) log(`Keras: ${result.keras_error}`);
    return result;
  } catch (error) {
    log(`peers not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** The shortest of `n` runs of `fn`, in ms. */
function bestOf(n: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * The SpamAssassin corpus with one stratified split for every side: vectorizing throughput, macro F1 of tf-idf + MLP
 * against scikit-learn's tf-idf + logistic regression (the transformer reported beside), and the served cost of
 * vectorizing raw text on the server against sending the ids.
 */
export const textSuite: Suite = {
  name: 'text',
  description: `SpamAssassin corpus (6,046 emails), one stratified 80/20 split; tf-idf vocabularies of ${MAX_TOKENS} tokens; served batch-1 requests, 16 connections for 5 s`,
  async run(log) {
    await lepton.backend();
    const work = mkdtempSync(join(tmpdir(), 'lepton-bench-text-'));
    const home = join(work, 'home');
    const cases: BenchCase[] = [];
    try {
      const mail = lepton.datasets.spamAssassin();
      const texts = mail.array('text') as string[];
      const labels = (mail.array('label') as string[]).map((l) => (l === 'spam' ? 1 : 0));
      const split = lepton.preprocess.splitIndices(texts.length, { testSize: 0.2, seed: 0, labels });
      const train = Array.from(split.train);
      const test = Array.from(split.test);
      const corpusPath = join(work, 'corpus.json');
      writeFileSync(corpusPath, JSON.stringify({ texts, labels, train, test }));
      const trainTexts = train.map((i) => texts[i]!);
      const testTexts = test.map((i) => texts[i]!);

      // Vectorizing: fit on the training texts, transform every text (as the peers do).
      const vectorize = () => {
        const vec = lepton.preprocess
          .textVectorizer({ outputMode: 'tfidf', maxTokens: MAX_TOKENS, idf: 'smooth', norm: 'l2' })
          .fit(trainTexts);
        vec.transform(texts).dispose();
      };
      vectorize();
      const ms = bestOf(3, vectorize);
      const p = peers(corpusPath, log);
      cases.push({
        suite: 'text',
        case: 'vectorize',
        metric: 'docs_per_s',
        unit: 'docs/s',
        better: 'higher',
        lepton: texts.length / (ms / 1000),
        peers: { sklearn: p?.sklearn_docs_per_s ?? null, keras: p?.keras_docs_per_s ?? null },
      });

      // Accuracy: tf-idf + MLP (Lepton) against tf-idf + logistic regression (scikit-learn), macro F1 on the test part.
      const y = (rows: number[]) =>
        tf.tensor1d(
          rows.map((i) => labels[i]!),
          'int32',
        );
      const tfidf = lepton.preprocess
        .textVectorizer({ outputMode: 'tfidf', maxTokens: MAX_TOKENS, idf: 'smooth', norm: 'l2' })
        .fit(trainTexts);
      const mlp = lepton.models.mlp({ inputs: tfidf.vocabularySize, hidden: [32], dropout: 0.2, classes: 2, seed: 1 });
      await lepton.fit(
        mlp,
        { x: tfidf.transform(trainTexts), y: y(train) },
        { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', epochs: 4, batchSize: 64, seed: 1, live: false },
      );
      const f1Of = async (model: tf.LayersModel, x: tf.Tensor) =>
        ((await lepton.evaluate(model, { x, y: y(test) })).metrics as lepton.ClassificationMetrics).macro.f1;
      const mlpF1 = await f1Of(mlp, tfidf.transform(testTexts));
      cases.push({
        suite: 'text',
        case: 'text_f1',
        metric: 'f1',
        unit: 'macro F1',
        better: 'higher',
        lepton: mlpF1,
        peers: { sklearn: p?.sklearn_f1 ?? null },
      });

      // The tutorial's transformer (24 ids, half the training messages, 2 epochs): tfjs trains attention slowly on CPU.
      const ids = lepton.preprocess.textVectorizer({ maxTokens: 5000, sequenceLength: 24 }).fit(trainTexts);
      const transformer = lepton.models.transformer({
        vectorizer: ids,
        classes: 2,
        dModel: 16,
        heads: 2,
        layers: 1,
        seed: 1,
      });
      const half = train.slice(0, Math.floor(train.length / 2));
      await lepton.fit(
        transformer,
        { x: ids.transform(half.map((i) => texts[i]!)), y: y(half) },
        {
          loss: 'sparseCategoricalCrossentropy',
          optimizer: tf.train.adam(0.005),
          epochs: 2,
          batchSize: 32,
          seed: 1,
          live: false,
        },
      );
      const transformerF1 = await f1Of(transformer, ids.transform(testTexts));
      log(
        `transformer (embedding 16, 1 block, 24 ids, half the training messages, 2 epochs): macro F1 ${transformerF1.toFixed(4)}; tf-idf + MLP ${mlpF1.toFixed(4)}; scikit-learn tf-idf + LR ${p?.sklearn_f1?.toFixed(4) ?? 'missing'}`,
      );
      cases.push({
        suite: 'text',
        case: 'text_f1_transformer',
        metric: 'f1',
        unit: 'macro F1',
        better: 'higher',
        lepton: transformerF1,
        peers: { sklearn: p?.sklearn_f1 ?? null },
      });

      // Serving: the same transformer on the Lepton server, fed raw text (vectorized by the server) or the ids.
      const server = await ensureServer({ home, port: 0 });
      const exported = await lepton.export.onnx(transformer);
      await server.client.deploy('spam-text', exported.data, {
        rawInput: { kind: 'text', vectorizer: ids.toJSON() },
        classes: ['ham', 'spam'],
      });
      await server.client.deploy('spam-ids', exported.data, { classes: ['ham', 'spam'] });
      const email = testTexts[0]!.slice(0, 2000);
      const raw = await load(
        `${server.info.url}/v2/models/spam-text/infer`,
        JSON.stringify(rawInputRequest('text', [email])),
      );
      const row = Array.from(ids.transform([email]).dataSync());
      const tensors = await load(
        `${server.info.url}/v2/models/spam-ids/infer`,
        JSON.stringify({
          inputs: [{ name: exported.inputs[0]!.name, shape: [1, row.length], datatype: 'INT32', data: row }],
        }),
      );
      log(
        `served raw text (${email.length} chars): ${raw.reqPerS.toFixed(0)} req/s, p99 ${raw.p99Ms} ms, ${raw.errors} errors; ids: ${tensors.reqPerS.toFixed(0)} req/s, p99 ${tensors.p99Ms} ms, ${tensors.errors} errors`,
      );
      cases.push(
        {
          suite: 'text',
          case: 'served_raw_text_batch1',
          metric: 'req_per_s',
          unit: 'req/s',
          better: 'higher',
          lepton: raw.reqPerS,
          peers: { lepton_ids: tensors.reqPerS },
        },
        {
          suite: 'text',
          case: 'served_raw_text_batch1',
          metric: 'p99_ms',
          unit: 'ms',
          better: 'lower',
          lepton: raw.p99Ms,
          peers: { lepton_ids: tensors.p99Ms },
        },
      );
    } finally {
      await stopServer({ home });
      rmSync(work, { recursive: true, force: true });
    }
    return cases;
  },
};
