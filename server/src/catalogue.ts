/**
 * The error catalogue as data: each entry's stable code and HTTP status, by entry name. Other servers that speak
 * Lepton's protocol (the Ray Serve application in `python/lepton_ray`) are handed this at deploy time, so a code or
 * status is declared once, in `errors.ts`, and cannot drift between the two.
 */
import { errors } from './errors.js';

/** One catalogue entry's code and status. */
export interface CatalogueEntry {
  /** The stable code, e.g. `LEPTON_UNKNOWN_INPUT`. */
  code: string;
  /** The HTTP status it is answered with. */
  status: number;
}

/**
 * Every entry of the catalogue with a fixed code and status (entries built per call, like `badImage`, carry theirs
 * in the error they build and are left out).
 * @example errorCatalogue().unknownInput // { code: 'LEPTON_UNKNOWN_INPUT', status: 400 }
 */
export function errorCatalogue(): Record<string, CatalogueEntry> {
  const out: Record<string, CatalogueEntry> = {};
  for (const [key, make] of Object.entries(errors)) {
    const entry = make as Partial<{ code: string; statusCode: number }>;
    if (typeof entry.code === 'string' && typeof entry.statusCode === 'number')
      out[key] = { code: entry.code, status: entry.statusCode };
  }
  return out;
}
