/**
 * Parquet files through hyparquet, column by column: INT64 values become numbers (when exact), and the codecs
 * hyparquet leaves to its users come from Node's zlib (GZIP, BROTLI, and ZSTD on Node ≥ 22.15; on older Node, ZSTD
 * is decoded by fzstd, in JavaScript).
 */
import * as zlib from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';
import { parquetMetadata, parquetRead, type Compressors } from 'hyparquet';
import { DataError, ParseError } from './errors.js';
import type { FrameColumns } from './stats.js';

/** Options of `read.parquet`. */
export interface ParquetOptions {
  /** Columns to read (default all). */
  columns?: string[];
  /** First row to read (default 0). */
  rowStart?: number;
  /** Row after the last to read (default: the end). */
  rowEnd?: number;
}

const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;

/** Decompressors for the codecs hyparquet does not decode itself. */
const compressors: Compressors = {
  GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(zlib.brotliDecompressSync(input)),
  ZSTD: zstd ? (input: Uint8Array) => new Uint8Array(zstd(input)) : (input: Uint8Array) => fzstdDecompress(input),
};

/** INT64 columns arrive as bigints: numbers when every value is exact, else the bigints are kept. */
function toNumbers(values: ArrayLike<unknown>): ArrayLike<unknown> {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) return values;
      out[i] = Number(v);
    }
    return out;
  }
  let hasBigint = false;
  for (let i = 0; i < values.length && !hasBigint; i++) hasBigint = typeof values[i] === 'bigint';
  if (!hasBigint) return values;
  const out = Array.from(values, (v) => (typeof v === 'bigint' ? Number(v) : v));
  return out.every((v, i) => typeof values[i] !== 'bigint' || BigInt(v as number) === values[i]) ? out : values;
}

/** Reads parquet bytes into columns. */
export async function parseParquet(
  bytes: Uint8Array,
  options: ParquetOptions = {},
  name = 'the parquet data',
): Promise<FrameColumns> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (error) {
    throw new ParseError(`${name} is not a parquet file (${(error as Error).message})`);
  }
  const available = metadata.schema.slice(1).map((s) => s.name);
  const names = options.columns ?? available;
  for (const column of names) {
    if (!available.includes(column)) {
      throw new DataError(
        'LEPTON_UNKNOWN_COLUMN',
        `read.parquet: unknown column ${JSON.stringify(column)}. Available columns: ${available.join(', ')}.`,
      );
    }
  }
  const total = Number(metadata.num_rows);
  const rowStart = Math.max(0, options.rowStart ?? 0);
  const rowEnd = Math.min(total, options.rowEnd ?? total);
  const chunks = new Map<string, { rowStart: number; rowEnd: number; data: ArrayLike<unknown> }[]>();
  try {
    await parquetRead({
      file: buffer,
      metadata,
      columns: names,
      rowStart,
      rowEnd,
      compressors,
      onChunk: (chunk) => {
        const list = chunks.get(chunk.columnName) ?? [];
        list.push({ rowStart: chunk.rowStart, rowEnd: chunk.rowEnd, data: chunk.columnData as ArrayLike<unknown> });
        chunks.set(chunk.columnName, list);
      },
    });
  } catch (error) {
    const message = (error as Error).message;
    throw new ParseError(`${name} could not be read: ${message}`);
  }
  const n = rowEnd - rowStart;
  const columns: Record<string, ArrayLike<unknown>> = {};
  for (const column of names) {
    const parts = (chunks.get(column) ?? []).sort((a, b) => a.rowStart - b.rowStart);
    const out = new Array<unknown>(n).fill(null);
    for (const part of parts) {
      const from = Math.max(part.rowStart, rowStart);
      const to = Math.min(part.rowEnd, rowEnd);
      for (let r = from; r < to; r++) out[r - rowStart] = part.data[r - part.rowStart] ?? null;
    }
    columns[column] = toNumbers(out);
  }
  return { names, columns };
}
