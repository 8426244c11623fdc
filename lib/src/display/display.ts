import { getHost, type DisplayOptions } from './host.js';
import { toMimeBundle } from './mime.js';
import { DisplayError } from './errors.js';
import {
  encodedImageBundle,
  htmlBundle,
  imageBundle,
  jsonBundle,
  latexBundle,
  markdownBundle,
  svgBundle,
  type ImageOptions,
  type ImageSource,
  type Shown,
} from './helpers.js';
import type { TensorLike } from './image.js';

/** Options of the one-line helpers: those of `display`, and `update` to replace the output shown with `id`. */
export interface HelperOptions extends DisplayOptions {
  /** Replace the output(s) shown earlier with the same `id` instead of adding one (live updates). */
  update?: boolean;
}

/**
 * A helper that shows text of one kind: call it with the text (and options), or use it as a tag,
 * display.html`<b>${name}</b>` (as Deno's `Deno.jupyter.html`).
 */
export interface TextHelper {
  /** Shows the template's text (values interpolated as `String(value)`, not escaped). */
  (strings: TemplateStringsArray, ...values: unknown[]): void;
  /** Shows `source`; `{ id }` makes the output updatable, `{ id, update: true }` updates it. */
  (source: string, options?: HelperOptions): void;
}

/** Displays values as outputs of the current cell, and updates them in place. */
export interface Display {
  /** Shows `value` (its MIME bundle, see `displaySymbol`) as a new output; `{ id }` makes it updatable. */
  (value: unknown, options?: DisplayOptions): void;
  /** Replaces the output(s) displayed with `id` by `value`. */
  update(id: string, value: unknown, options?: DisplayOptions): void;
  /** Clears the cell's outputs; with `wait`, only when new output arrives (no flicker). */
  clear(wait?: boolean): void;
  /** Shows HTML. @example display.html`<b>${accuracy}</b>` */
  html: TextHelper;
  /** Shows Markdown. @example display.markdown('# Results') */
  markdown: TextHelper;
  /** Shows Markdown (`display.markdown`, as Deno's `md` tag). @example display.md`**${n}** rows` */
  md: TextHelper;
  /** Shows SVG markup. @example display.svg('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="5" cx="5" cy="5"/></svg>') */
  svg: TextHelper;
  /** Shows LaTeX; text without `$`, `\[` or `\begin` delimiters is shown as display math. @example display.latex('E = mc^2') */
  latex: TextHelper;
  /** Shows a value as collapsible JSON. @example display.json({ epochs: 3, lr: 0.01 }) */
  json(value: unknown, options?: HelperOptions): void;
  /** Shows a PNG file or its bytes. @example display.png('plot.png', { width: 400 }) */
  png(source: ImageSource, options?: HelperOptions & ImageOptions): void;
  /** Shows a JPEG file or its bytes. @example display.jpeg(bytes) */
  jpeg(source: ImageSource, options?: HelperOptions & ImageOptions): void;
  /**
   * Shows an image: a tensor `[h, w]`, `[h, w, 1|3|4]` or a batch `[n, h, w(, c)]` as a grid (values in [0, 1] or
   * 0–255), or a PNG, JPEG or GIF file or its bytes.
   * @example display.image(digits.slice([0, 0, 0], [16, 28, 28]), { width: 300 })
   */
  image(source: TensorLike | ImageSource, options?: HelperOptions & ImageOptions): void;
}

function show(value: unknown, options?: DisplayOptions): void {
  getHost().display(toMimeBundle(value), options);
}

/** Sends a helper's bundle: a new output, or with `update` a replacement of the outputs shown with `id`. */
function send(shown: Shown, options: HelperOptions = {}): void {
  const metadata = { ...shown.metadata, ...options.metadata };
  if (!options.update) {
    getHost().display(shown.bundle, { id: options.id, metadata });
    return;
  }
  if (!options.id)
    throw new DisplayError(
      'LEPTON_DISPLAY_BAD_INPUT',
      'display: update needs the id of the output to update, e.g. { id: "progress", update: true }.',
    );
  getHost().update(options.id, shown.bundle, { metadata });
}

function isTemplate(value: unknown): value is TemplateStringsArray {
  return Array.isArray(value) && Array.isArray((value as Partial<TemplateStringsArray>).raw);
}

/** A helper usable both as a function of (text, options) and as a template tag. */
function textHelper(bundle: (source: unknown) => Shown): TextHelper {
  return (first: unknown, ...rest: unknown[]) => {
    if (isTemplate(first)) {
      send(bundle(first.reduce((out, part, i) => out + part + (i < rest.length ? String(rest[i]) : ''), '')));
      return;
    }
    send(bundle(first), rest[0] as HelperOptions | undefined);
  };
}

const markdown = textHelper(markdownBundle);

/**
 * Displays any value in the notebook, and kinds of content in one line.
 * @example display(lepton.datasets.penguins())
 * @example display(progress, { id: 'p' }); display.update('p', progress)
 * @example display.html`<b>${loss.toFixed(3)}</b>`
 */
export const display: Display = Object.assign(show, {
  update(id: string, value: unknown, options?: DisplayOptions): void {
    getHost().update(id, toMimeBundle(value), options);
  },
  clear(wait = false): void {
    getHost().clear(wait);
  },
  html: textHelper(htmlBundle),
  markdown,
  md: markdown,
  svg: textHelper(svgBundle),
  latex: textHelper(latexBundle),
  json: (value: unknown, options?: HelperOptions) => send(jsonBundle(value), options),
  png: (source: ImageSource, options?: HelperOptions & ImageOptions) =>
    send(encodedImageBundle('png', source, options), options),
  jpeg: (source: ImageSource, options?: HelperOptions & ImageOptions) =>
    send(encodedImageBundle('jpeg', source, options), options),
  image: (source: TensorLike | ImageSource, options?: HelperOptions & ImageOptions) =>
    send(imageBundle(source, options), options),
});
