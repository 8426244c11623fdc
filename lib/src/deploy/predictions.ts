/**
 * Class predictions read from an infer response: per row, every class's probability (a sigmoid unit's p as
 * [1 − p, p]), the most probable class, and its name from the `label` output a deployment with class names adds.
 */
import type { InferResponse } from '@lepton/server';

/** One input's prediction (`Deployment.predictText`). */
export interface ClassPrediction {
  /** The most probable class's name (its index as text when the deployment has no class names). */
  label: string;
  /** Its probability. */
  probability: number;
  /** Every class's probability, in class order. */
  probabilities: number[];
}

/** The predictions of a classifier's response, one per row. */
export function classPredictions(response: InferResponse): ClassPrediction[] {
  const scores = response.outputs.find((o) => o.datatype !== 'BYTES');
  const labels = response.outputs.find((o) => o.name === 'label' && o.datatype === 'BYTES')?.data as
    string[] | undefined;
  if (!scores) return [];
  const values = scores.data as number[];
  const rows = scores.shape[0] ?? 0;
  const width = scores.shape[1] ?? 1;
  return Array.from({ length: rows }, (_, r) => {
    const row = values.slice(r * width, (r + 1) * width);
    const probabilities = width === 1 ? [1 - row[0]!, row[0]!] : row;
    const best = probabilities.reduce((b, p, j) => (p > probabilities[b]! ? j : b), 0);
    return { label: labels?.[r] ?? String(best), probability: probabilities[best]!, probabilities };
  });
}
