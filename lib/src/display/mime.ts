import { inspect } from 'node:util';

/** A MIME bundle: MIME type → content (a string, or JSON for `+json` types), as Jupyter sends it. */
export type MimeBundle = Record<string, unknown>;

/**
 * The symbol an object implements to display itself richly: `[displaySymbol]()` returns a MIME bundle.
 * It is the convention Deno's kernel uses, so libraries opt in without importing Lepton.
 */
export const displaySymbol: unique symbol = Symbol.for('Jupyter.display');

/** An object that knows how to display itself. */
export interface Displayable {
  /** Returns the object's MIME bundle (e.g. `text/html` and `text/plain`); the display shows the richest type the front end supports. */
  [displaySymbol](): MimeBundle;
}

/** Whether `value` implements the display protocol. */
export function isDisplayable(value: unknown): value is Displayable {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as Partial<Displayable>)[displaySymbol] === 'function'
  );
}

/** Formats any value as text the way Node's REPL does (colors off, depth bounded). */
export function plainText(value: unknown): string {
  if (typeof value === 'string') return inspect(value);
  const text = inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
  // Node's async hooks (which the kernel's cell tracking turns on) tag promises with their ids: bookkeeping, not data.
  return value instanceof Promise
    ? text.replace(/,?\s*\[Symbol\((?:async_id_symbol|trigger_async_id_symbol)\)\]: \d+/g, '')
    : text;
}

/**
 * Turns any value into the MIME bundle a front end renders: the object's own bundle when it implements
 * the display protocol (with `text/plain` always added), else its text form.
 */
export function toMimeBundle(value: unknown): MimeBundle {
  if (isDisplayable(value)) {
    const bundle = { ...value[displaySymbol]() };
    if (typeof bundle['text/plain'] !== 'string') bundle['text/plain'] = plainText(value);
    return bundle;
  }
  return { 'text/plain': plainText(value) };
}
