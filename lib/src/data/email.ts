/**
 * A small RFC 5322 / MIME reader for mail corpora: a raw message's headers (unfolded, RFC 2047 encoded words
 * decoded) and its readable body — text parts decoded from base64 or quoted-printable in their charset, HTML reduced
 * to its text, attachments left out.
 */

/** A message read from its raw text. */
export interface Email {
  /** Headers by lower-cased name (the first occurrence). */
  headers: Map<string, string>;
  /** The `Subject` header, decoded ('' when absent). */
  subject: string;
  /** The readable text of the body. */
  body: string;
}

/** Reads a raw message: headers parsed off, the body's text parts decoded and joined. */
export function parseEmail(raw: string): Email {
  const { headers, body } = splitHeaders(raw.replace(/\r\n/g, '\n'));
  return { headers, subject: decodeWords(headers.get('subject') ?? '').trim(), body: bodyText(headers, body).trim() };
}

function splitHeaders(text: string): { headers: Map<string, string>; body: string } {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers = new Map<string, string>();
  // A line starting with whitespace continues the header before it (folding).
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: end < 0 ? '' : text.slice(end + 2) };
}

/** A header parameter such as `boundary` or `charset` of a `Content-Type` value. */
function parameter(value: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

function bodyText(headers: Map<string, string>, body: string): string {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = parameter(headers.get('content-type')!, 'boundary');
    if (!boundary) return body;
    const parts = body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitHeaders(p.replace(/^[ \t]*\n/, '')));
    const texts = parts.map((p) => ({
      type: (p.headers.get('content-type') ?? 'text/plain').toLowerCase(),
      text: bodyText(p.headers, p.body),
    }));
    // Alternatives say the same thing twice: keep the plain text one when there is one.
    const chosen =
      type.startsWith('multipart/alternative') && texts.some((t) => t.type.startsWith('text/plain'))
        ? texts.filter((t) => t.type.startsWith('text/plain'))
        : texts;
    return chosen
      .map((t) => t.text.trim())
      .filter((t) => t !== '')
      .join('\n\n');
  }
  if (!type.startsWith('text/') && !type.startsWith('message/')) return '';
  const disposition = (headers.get('content-disposition') ?? '').toLowerCase();
  if (disposition.startsWith('attachment')) return '';
  const text = decodeTransfer(
    body,
    (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase(),
    parameter(headers.get('content-type') ?? '', 'charset'),
  );
  return type.startsWith('text/html') ? htmlText(text) : text;
}

/** The bytes a string stands for: code units below 256 as themselves (the corpus stores 8-bit mail as Latin-1 text). */
function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

function decodeTransfer(body: string, encoding: string, charset: string | undefined): string {
  if (encoding === 'base64') return decodeBytes(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), charset);
  if (encoding === 'quoted-printable') return decodeBytes(bytesOf(quotedPrintable(body)), charset);
  return body;
}

/** Quoted-printable to the 8-bit string it encodes: soft line breaks joined, `=XX` as the byte XX. */
function quotedPrintable(text: string): string {
  return text
    .replace(/=\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** RFC 2047 encoded words (`=?charset?B?…?=`, `=?charset?Q?…?=`) decoded. */
function decodeWords(value: string): string {
  // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2); elsewhere it is.
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, kind: string, text: string) => {
      const bytes =
        kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : bytesOf(quotedPrintable(text.replace(/_/g, ' ')));
      return decodeBytes(bytes, charset);
    });
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
};

/** The text of an HTML document: scripts and styles dropped, tags removed, common entities decoded, spaces collapsed. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|p|div|tr|li|h\d)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
