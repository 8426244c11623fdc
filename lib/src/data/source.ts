/**
 * Where data comes from: a local path, a `file:` URL or an `http(s):` URL, read as bytes with errors that say
 * what was looked for and where.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from './errors.js';

/** A path, a `file:`/`http:`/`https:` URL (string or URL object). */
export type Source = string | URL;

/** A short name of a source for messages. */
export function describeSource(source: Source): string {
  return typeof source === 'string' ? source : source.href;
}

/** The source's extension in lower case (`csv`, `parquet`, …), or ''. */
export function extensionOf(source: Source): string {
  const path = typeof source === 'string' ? source.split(/[?#]/)[0]! : source.pathname;
  const match = /\.([a-z0-9]+)$/i.exec(path);
  return match ? match[1]!.toLowerCase() : '';
}

/** The bytes of a source. Relative paths resolve against the working directory (the notebook's folder). */
export async function readSource(source: Source): Promise<Uint8Array> {
  const text = describeSource(source);
  const url =
    source instanceof URL
      ? source
      : /^[a-z][a-z0-9+.-]+:\/\//i.test(source) || source.startsWith('file:')
        ? new URL(source)
        : null;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new DataError('LEPTON_LOAD_ERROR', `could not fetch ${text}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!response.ok)
      throw new DataError(
        'LEPTON_LOAD_ERROR',
        `fetching ${text} answered HTTP ${response.status} ${response.statusText}`,
      );
    return new Uint8Array(await response.arrayBuffer());
  }
  if (url && url.protocol !== 'file:') {
    throw new DataError(
      'LEPTON_LOAD_ERROR',
      `cannot read ${text}: only local paths, file: and http(s): URLs are supported`,
    );
  }
  const path = url ? fileURLToPath(url) : resolve(source as string);
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new DataError('LEPTON_LOAD_ERROR', `cannot read ${path}: ${why} (working directory: ${process.cwd()})`, {
      cause: error,
    });
  }
}
