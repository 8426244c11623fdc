/**
 * The management API's bearer-token check, in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';

/** A check of `Authorization` headers against `token`: throws `LEPTON_UNAUTHORIZED` unless it is `Bearer <token>`. */
export function bearerCheck(token: string): (header: string | undefined) => void {
  const expected = Buffer.from(token);
  return (header) => {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const given = match ? Buffer.from(match[1]!) : undefined;
    if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) throw errors.unauthorized();
  };
}
