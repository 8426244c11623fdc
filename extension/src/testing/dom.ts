/**
 * A DOM for the views' unit tests: jsdom's window, installed as the globals the views use. Imported first by each
 * test file; the views touch the DOM only when they run, never when they load.
 */
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
const globals = globalThis as Record<string, unknown>;
for (const name of ['window', 'document', 'HTMLElement', 'SVGElement', 'Node', 'Event', 'MouseEvent']) {
  globals[name] = name === 'window' ? dom.window : (dom.window as unknown as Record<string, unknown>)[name];
}

/** A fresh element attached to the document body. */
export function host(): HTMLElement {
  const node = dom.window.document.createElement('div');
  dom.window.document.body.appendChild(node);
  return node;
}

/** Waits until `condition` holds (checked every 10 ms), or fails after `ms`. */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
