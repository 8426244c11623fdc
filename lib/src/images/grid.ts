/**
 * Image grids for displays: thumbnails (embedded PNGs) with captions, drawn at a legible size with crisp pixels,
 * used by an image dataset's display and by the worst-mistakes grid of an evaluation.
 */
import { escapeHtml } from '../display/html.js';
import { encodePng } from '../display/png.js';

/** One thumbnail: pixel bytes (row by row, channels last), its size, and the lines under it. */
export interface Thumbnail {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: 1 | 3;
  /** Lines of caption (the first in bold). */
  caption: string[];
  /** Hover text (e.g. the file's path). */
  title?: string;
  /** Draws the caption's first line in red (a mistake). */
  alert?: boolean;
}

/** A data URL of the PNG of `t`'s pixels. */
export function pngDataUrl(t: Pick<Thumbnail, 'pixels' | 'height' | 'width' | 'channels'>): string {
  return `data:image/png;base64,${encodePng({ width: t.width, height: t.height, channels: t.channels, data: t.pixels }).toString('base64')}`;
}

/** HTML of a grid of `thumbnails`, each drawn `side` CSS pixels wide (default 72). */
export function gridHtml(thumbnails: readonly Thumbnail[], side = 72): string {
  const cells = thumbnails.map((t) => {
    const [first, ...rest] = t.caption.map(escapeHtml);
    const title = t.title === undefined ? '' : ` title="${escapeHtml(t.title)}"`;
    const colour = t.alert ? 'color:#c62828;' : '';
    return (
      `<figure style="margin:2px;text-align:center;width:${side + 8}px"${title}>` +
      `<img src="${pngDataUrl(t)}" width="${side}" height="${Math.round((side * t.height) / t.width)}" style="image-rendering:pixelated;border:1px solid #ddd" alt="${first ?? ''}">` +
      `<figcaption style="font-size:11px;line-height:1.2"><b style="${colour}">${first ?? ''}</b>${rest.map((l) => `<br>${l}`).join('')}</figcaption></figure>`
    );
  });
  return `<div style="display:flex;flex-wrap:wrap;gap:2px">${cells.join('')}</div>`;
}

/** HTML of horizontal bars: one per `[label, count]`, as a bar chart of counts. */
export function barsHtml(rows: ReadonlyArray<readonly [string, number]>): string {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const bars = rows.map(
    ([label, n]) =>
      `<tr><td style="text-align:right;padding-right:6px">${escapeHtml(label)}</td>` +
      `<td style="width:240px"><div style="background:#4c78a8;height:12px;width:${Math.max(1, Math.round((240 * n) / max))}px"></div></td>` +
      `<td style="padding-left:6px">${n}</td></tr>`,
  );
  return `<table style="font-size:12px;border-collapse:collapse">${bars.join('')}</table>`;
}
