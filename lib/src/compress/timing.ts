/**
 * Latency and throughput of several onnxruntime sessions on the same inputs, timed in interleaved rounds.
 *
 * Timing one model after another let a moment of load from other work fall on one variant only: on a 2-core machine
 * the same CNN measured 81,586 and 128,972 samples/s in two consecutive reports, and a smaller student model came out
 * at half its teacher's speed. Interleaving gives every variant a share of every moment, and medians of single runs
 * ignore the runs a pause hit.
 */
import type * as Ort from 'onnxruntime-node';
import { quantileSorted } from '../data/stats.js';
import { runFloat, type FloatBatch } from '../onnx/session.js';

/** What the timings may spend, per variant. */
export interface TimingBudget {
  /** Batch-1 runs timed at least, in all. */
  latencyRuns: number;
  /** Batch-256 runs timed at least, in all. */
  throughputRuns: number;
  /** Seconds per variant; runs continue within it after the minimums. */
  maxSeconds: number;
}

/** A variant's figures. */
export interface Timing {
  /** Median batch-1 run, in milliseconds. */
  latencyP50Ms: number;
  /** Samples per second at batch 256, from the median batch-256 run. */
  throughput: number;
}

/** Rounds the budget is cut into; each variant runs once per round, in an order that rotates. */
export const ROUNDS = 10;

/** `n` rows of `x`, cycling through its rows when it has fewer. */
export function batchOfSize(x: FloatBatch, n: number): FloatBatch {
  const row = x.data.length / x.shape[0]!;
  const data = new Float32Array(n * row);
  for (let i = 0; i < n; i++)
    data.set(x.data.subarray((i % x.shape[0]!) * row, ((i % x.shape[0]!) + 1) * row), i * row);
  return { data, shape: [n, ...x.shape.slice(1)] };
}

const median = (values: number[]): number =>
  quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/** Times every session on batches of `x` (1 and 256 rows); results in the order of `sessions`. */
export async function timeInterleaved(
  sessions: readonly Ort.InferenceSession[],
  x: FloatBatch,
  budget: TimingBudget,
): Promise<Timing[]> {
  const one = batchOfSize(x, 1);
  const big = batchOfSize(x, 256);
  for (const s of sessions) {
    for (let i = 0; i < 3; i++) await runFloat(s, one);
    await runFloat(s, big);
  }
  const latency: number[][] = sessions.map(() => []);
  const batch: number[][] = sessions.map(() => []);
  const shareMs = (budget.maxSeconds * 1000) / ROUNDS;
  const latencyPerRound = Math.max(1, Math.ceil(budget.latencyRuns / ROUNDS));
  const batchPerRound = Math.max(1, Math.ceil(budget.throughputRuns / ROUNDS));
  const timed = async (s: Ort.InferenceSession, input: FloatBatch, into: number[]): Promise<void> => {
    const t0 = performance.now();
    await runFloat(s, input);
    into.push(performance.now() - t0);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < sessions.length; k++) {
      const i = (round + k) % sessions.length;
      const s = sessions[i]!;
      const start = performance.now();
      // A third of the share for batch 1, the rest for batch 256, each after its minimum.
      for (let j = 0; j < latencyPerRound || performance.now() < start + shareMs / 3; j++)
        await timed(s, one, latency[i]!);
      for (let j = 0; j < batchPerRound || performance.now() < start + shareMs; j++) await timed(s, big, batch[i]!);
    }
  }
  return sessions.map((_, i) => ({ latencyP50Ms: median(latency[i]!), throughput: (256 * 1000) / median(batch[i]!) }));
}
