/**
 * How a DataFrame shows in a notebook: an HTML table (head and tail, column types in the header, numbers
 * right-aligned and formatted, an "n rows × m columns" footer) and the same as aligned text. Only a bounded
 * number of rows and columns is ever formatted, whatever the frame's size.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, isMissing, isNumericKind, type ColumnKind } from './columns.js';

/** Limits of what a displayed frame sends to the front end. */
export interface DisplayLimits {
  /** Frames with more rows show the first and last `maxRows / 2` rows. */
  maxRows: number;
  /** Frames with more columns show the first and last `maxColumns / 2` columns. */
  maxColumns: number;
  /** Longer strings are cut, with an ellipsis. */
  maxStringLength: number;
}

/** The limits every displayed frame uses; change them to see more (`lepton.displayLimits.maxRows = 60`). */
export const displayLimits: DisplayLimits = { maxRows: 20, maxColumns: 20, maxStringLength: 60 };

/** One formatted cell: its text and whether it is right-aligned (numbers). */
interface Cell {
  text: string;
  numeric: boolean;
  missing: boolean;
}

/** What both renderings show: the chosen columns, row positions and formatted cells. */
interface Layout {
  columns: { name: string; kind: ColumnKind }[];
  /** Index of the column after which an ellipsis column goes, or -1. */
  columnGap: number;
  /** Row positions shown; -1 marks the ellipsis row. */
  rows: number[];
  cells: Cell[][];
  footer: string;
}

const numberFormat = (value: number, decimals: number): string => {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e9 || abs < 1e-4)) return value.toExponential(3);
  return value.toFixed(decimals);
};

/** Decimals a fractional number needs, up to 4. */
function decimalsOf(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return 0;
  for (let d = 1; d < 4; d++)
    if (Math.abs(Number(value.toFixed(d)) - value) < 1e-9 * Math.max(1, Math.abs(value))) return d;
  return 4;
}

function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'Invalid Date';
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

function formatValue(value: unknown, decimals: number): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return numberFormat(value, decimals);
  if (value instanceof Date) return formatDate(value);
  let text =
    typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? // JSON.stringify returns undefined for what it cannot print, though its type says string; String() is left.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition, @typescript-eslint/no-base-to-string -- see above
          (JSON.stringify(value) ?? String(value))
        : // Only booleans, bigints, symbols and functions reach here, and String prints them all.
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see above
          String(value);
  if (text.length > displayLimits.maxStringLength) text = text.slice(0, displayLimits.maxStringLength - 1) + '…';
  return text;
}

/** The positions shown of `n` items when at most `max` fit: head and tail, with -1 for the gap. */
function shownPositions(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const head = Math.ceil(max / 2);
  const tail = Math.floor(max / 2);
  return [...Array.from({ length: head }, (_, i) => i), -1, ...Array.from({ length: tail }, (_, i) => n - tail + i)];
}

function layout(table: ColumnTable): Layout {
  const names = table.columnNames();
  const nRows = table.numRows();
  const columnPositions = shownPositions(names.length, displayLimits.maxColumns);
  const columnGap = columnPositions.indexOf(-1) - 1;
  const shownNames = columnPositions.filter((p) => p >= 0).map((p) => names[p]!);
  const rows = shownPositions(nRows, displayLimits.maxRows);
  const indices = table.indices();
  const columns = shownNames.map((name) => {
    const data = table.column(name)! as unknown as { at(i: number): unknown; length: number };
    const values = rows.map((r) => (r < 0 ? undefined : data.at(indices[r]!)));
    const kind = ArrayBuffer.isView(data)
      ? columnKind(data as unknown as ArrayLike<unknown>)
      : columnKind(sampleValues(data, indices));
    return { name, kind, values };
  });
  const cells: Cell[][] = rows.map(() => []);
  for (const column of columns) {
    const decimals = Math.max(0, ...column.values.map((v) => (typeof v === 'number' ? decimalsOf(v) : 0)));
    column.values.forEach((value, i) => {
      cells[i]!.push({
        text: formatValue(value, decimals),
        numeric: typeof value === 'number' || typeof value === 'bigint',
        missing: isMissing(value),
      });
    });
  }
  const groups = table.isGrouped() ? table.groups().names : [];
  const footer =
    `${nRows.toLocaleString('en-US')} row${nRows === 1 ? '' : 's'} × ${names.length} column${names.length === 1 ? '' : 's'}` +
    (groups.length ? `, grouped by ${groups.join(', ')}` : '');
  return { columns: columns.map(({ name, kind }) => ({ name, kind })), columnGap, rows, cells, footer };
}

/** Up to 1,000 values of a column spread over the frame, to infer its kind cheaply. */
function sampleValues(data: { at(i: number): unknown }, indices: ArrayLike<number>): unknown[] {
  const n = indices.length;
  const step = Math.max(1, Math.floor(n / 1000));
  const out: unknown[] = [];
  for (let i = 0; i < n; i += step) out.push(data.at(indices[i]!));
  return out;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const style =
  '<style>.lepton-frame table{border-collapse:collapse;font-variant-numeric:tabular-nums}' +
  '.lepton-frame th,.lepton-frame td{padding:2px 8px;border-bottom:1px solid #e0e0e0;white-space:nowrap}' +
  '.lepton-frame th small{font-weight:normal;color:#888}.lepton-frame td.num{text-align:right}' +
  '.lepton-frame td.na{color:#aaa;font-style:italic}.lepton-frame th.idx{color:#888;text-align:right}' +
  '.lepton-frame p{color:#666;margin:4px 0}</style>';

/** The frame as an HTML table. */
export function frameToHtml(table: ColumnTable): string {
  const { columns, columnGap, rows, cells, footer } = layout(table);
  const gapTh = '<th>…</th>';
  const header = columns
    .map(
      (c, i) =>
        `<th title="${escapeHtml(c.kind)}">${escapeHtml(c.name)}<br><small>${c.kind}</small></th>${i === columnGap ? gapTh : ''}`,
    )
    .join('');
  const body = rows
    .map((r, i) => {
      if (r < 0)
        return `<tr><th class="idx">…</th>${columns.map((_, j) => `<td class="num">…</td>${j === columnGap ? '<td>…</td>' : ''}`).join('')}</tr>`;
      const tds = cells[i]!.map((cell, j) => {
        const cls = [cell.numeric ? 'num' : '', cell.missing ? 'na' : ''].filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(cell.text)}</td>${j === columnGap ? '<td>…</td>' : ''}`;
      }).join('');
      return `<tr><th class="idx">${r}</th>${tds}</tr>`;
    })
    .join('');
  return `<div class="lepton-frame">${style}<table class="dataframe"><thead><tr><th></th>${header}</tr></thead><tbody>${body}</tbody></table><p>${escapeHtml(footer)}</p></div>`;
}

/** The frame as aligned text (the `text/plain` form). */
export function frameToText(table: ColumnTable): string {
  const { columns, columnGap, rows, cells, footer } = layout(table);
  const grid: { text: string; right: boolean }[][] = [];
  const withGap = <T>(items: T[], gap: T) => items.flatMap((item, j) => (j === columnGap ? [item, gap] : [item]));
  grid.push([
    { text: '', right: true },
    ...withGap(
      columns.map((c) => ({ text: c.name, right: isNumericKind(c.kind) })),
      { text: '…', right: false },
    ),
  ]);
  grid.push([
    { text: '', right: true },
    ...withGap(
      columns.map((c) => ({ text: `<${c.kind}>`, right: isNumericKind(c.kind) })),
      { text: '', right: false },
    ),
  ]);
  rows.forEach((r, i) => {
    if (r < 0)
      grid.push([
        { text: '…', right: true },
        ...withGap(
          columns.map(() => ({ text: '…', right: true })),
          { text: '…', right: false },
        ),
      ]);
    else
      grid.push([
        { text: String(r), right: true },
        ...withGap(
          cells[i]!.map((c) => ({ text: c.text, right: c.numeric })),
          { text: '…', right: false },
        ),
      ]);
  });
  const widths = grid[0]!.map((_, j) => Math.max(...grid.map((row) => row[j]!.text.length)));
  const lines = grid.map((row) =>
    row
      .map((cell, j) => (cell.right ? cell.text.padStart(widths[j]!) : cell.text.padEnd(widths[j]!)))
      .join('  ')
      .trimEnd(),
  );
  return [...lines, '', footer].join('\n');
}
