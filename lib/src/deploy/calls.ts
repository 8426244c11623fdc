/**
 * What every deployment's prediction calls share, wherever the model is served (Lepton's server or Ray Serve):
 * reading raw records into a list, and taking a model's only output.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DataFrame } from '../data/frame.js';
import { DeployError } from './errors.js';

/** Raw records for `Deployment.predictRecords`: objects of raw fields, or a DataFrame (its rows as objects). */
export type Records = readonly object[] | DataFrame;

/** `records` as a list of objects; `LEPTON_BAD_INPUT` naming the deployment when it is neither a list nor a DataFrame, or empty. */
export function recordList(records: Records, name: string): readonly object[] {
  const list = Array.isArray(records)
    ? (records as readonly object[])
    : typeof (records as Partial<DataFrame> | null)?.objects === 'function'
      ? (records as DataFrame).objects()
      : undefined;
  if (list === undefined || list.length === 0) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `predictRecords on "${name}": expected a non-empty array of records (objects of fields) or a DataFrame.`,
    );
  }
  return list;
}

/** The only output of `outputs`; disposes them and throws `LEPTON_BAD_INPUT` naming `instead` when there are several. */
export function onlyOutput(outputs: Record<string, tf.Tensor>, name: string, instead: string): tf.Tensor {
  const names = Object.keys(outputs);
  if (names.length !== 1) {
    for (const t of Object.values(outputs)) t.dispose();
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `"${name}" has ${names.length} outputs (${names.join(', ')}): use ${instead}, which returns them by name.`,
    );
  }
  return outputs[names[0]!]!;
}
