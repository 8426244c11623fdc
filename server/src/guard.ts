/**
 * Request guards of the whole server: the `Host` check against DNS rebinding, the optional inference token, and
 * the identity proof a proxy (the JupyterLab extension) asks for before it sends the management token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Whether `host` is a loopback address or name. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || host.startsWith('127.');
}

/** Whether `host` is a wildcard address (every interface). */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/**
 * A check of `Host` headers for a server bound to `bound`: the names it answers to are the bound address, the
 * loopback names when bound to loopback, and `allowed` (`--allow-host`). A server bound to every interface
 * without `allowed` cannot know its names and accepts any. Throws `LEPTON_HOST_NOT_ALLOWED`.
 */
export function hostCheck(bound: string, allowed: readonly string[] = []): (header: string | undefined) => void {
  const names = new Set(allowed.map((n) => n.toLowerCase()));
  if (isWildcard(bound) && names.size === 0) return () => {};
  names.add(bound.toLowerCase().replace(/^\[|\]$/g, ''));
  if (isLoopback(bound) || isWildcard(bound)) for (const n of LOOPBACK_NAMES) names.add(n);
  return (header) => {
    if (header === undefined) return; // HTTP/1.0 without Host: not a browser, so not a rebinding
    if (!names.has(hostName(header))) throw errors.hostNotAllowed(header);
  };
}

/** The name in a `Host` header, without its port or IPv6 brackets, lower-cased. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** A check of `Authorization: Bearer` against any of `tokens`, in constant time; throws `error()`. */
export function anyBearer(tokens: readonly string[], error: () => Error): (header: string | undefined) => void {
  const expected = tokens.map((t) => Buffer.from(t));
  return (header) => {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const given = match ? Buffer.from(match[1]!) : undefined;
    if (!given || !expected.some((e) => e.length === given.length && timingSafeEqual(e, given))) throw error();
  };
}

/** The inference-token check: the inference token or the management token. Throws `LEPTON_UNAUTHORIZED`. */
export function inferenceCheck(inferenceToken: string, managementToken: string): (header: string | undefined) => void {
  return anyBearer([inferenceToken, managementToken], () => errors.inferenceUnauthorized());
}

/**
 * The identity proof: HMAC-SHA256 of the caller's nonce keyed with the management token, hex. A caller that
 * holds the token checks it before sending the token, so a process that took over the port learns nothing.
 */
export function identityProof(token: string, nonce: string): string {
  return createHmac('sha256', token).update(`lepton-identity:${nonce}`).digest('hex');
}
