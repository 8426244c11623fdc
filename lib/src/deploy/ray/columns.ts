/**
 * Raw records as the infer request of a whole-pipeline graph served on Ray: one `[n, 1]` input per raw column, its
 * values read by `columnFeeds` (the pipeline export's own reader, so the graph is fed exactly as
 * `lepton.export.pipeline(...).predict(records)` feeds it). Numbers and dates travel as binary tensor data, where a
 * missing value can be NaN (JSON has no NaN); categories travel as JSON BYTES strings, a missing one as `""`.
 */
import type { InferRequest, RequestTensor } from '@lepton/server';
import { arrayBytes, BINARY_DATA_SIZE } from '@lepton/server/wire';
import { ExportError } from '../../export/errors.js';
import { columnFeeds, type ColumnFeed } from '../../export/pipeline/feeds.js';
import type { ColumnInput } from '../../export/pipeline/front.js';
import { DeployError } from '../errors.js';

/** The OIP datatype of each raw column type of a pipeline graph (what the graph's inputs declare). */
export const COLUMN_DATATYPES = { float: 'FP32', double: 'FP64', string: 'BYTES' } as const;

function tensorOf(name: string, feed: ColumnFeed, rows: number): RequestTensor {
  const shape = [rows, 1];
  if (feed.type === 'string') return { name, shape, datatype: COLUMN_DATATYPES.string, data: feed.data };
  const bytes = arrayBytes(feed.data);
  return {
    name,
    shape,
    datatype: COLUMN_DATATYPES[feed.type],
    parameters: { [BINARY_DATA_SIZE]: bytes.length },
    binary: bytes,
  };
}

/**
 * The infer request that runs `records` through a pipeline graph with raw `columns`. Throws `LEPTON_BAD_INPUT`
 * naming the deployment, the record and the field whose value the column cannot hold (a text in a number column).
 * @param columns the graph's raw columns, in its input order
 * @param records objects of raw fields (extra fields are ignored, absent ones are missing values)
 * @param name the deployment's name, for messages
 */
export function columnsRequest(
  columns: readonly ColumnInput[],
  records: readonly object[],
  name: string,
): InferRequest {
  let feeds: Record<string, ColumnFeed>;
  try {
    feeds = columnFeeds(columns, records);
  } catch (error) {
    if (error instanceof ExportError)
      throw new DeployError('LEPTON_BAD_INPUT', `predictRecords on "${name}": ${error.message}`, { cause: error });
    throw error;
  }
  return { inputs: columns.map((c) => tensorOf(c.name, feeds[c.name]!, records.length)) };
}
