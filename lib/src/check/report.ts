/**
 * `DataQualityReport`: what `lepton.check` found, as JSON (`toJSON()`) and as a scannable HTML report.
 */
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import type { ColumnKind } from '../data/columns.js';

/** How serious a finding is. */
export type Severity = 'error' | 'warning' | 'info';

/** One problem found, with a suggested fix as Lepton code. */
export interface Finding {
  /** What kind of check found it. */
  kind: 'missing' | 'constant' | 'near-constant' | 'duplicates' | 'outliers' | 'correlated' | 'imbalance' | 'leakage';
  severity: Severity;
  /** The column(s) concerned (none for duplicated rows). */
  columns: string[];
  /** One sentence. */
  message: string;
  /** Lepton code that fixes it, to paste into a cell. */
  fix: string;
}

/** Per-column facts. */
export interface ColumnReport {
  name: string;
  type: ColumnKind;
  missing: number;
  missingShare: number;
  distinct: number;
  /** Share of the most frequent value among present values (null when not counted). */
  topShare: number | null;
}

/** Everything `lepton.check` reports. */
export interface DataQualityData {
  rows: number;
  columns: number;
  target: string | null;
  /** Rows used for outlier bounds, correlations and leakage (all rows when not sampled). */
  sampledRows: number;
  sampled: boolean;
  seconds: number;
  columnReports: ColumnReport[];
  duplicateRows: number;
  outliers: { column: string; low: number; high: number; count: number; examples: number[] }[];
  correlated: { a: string; b: string; r: number }[];
  classBalance: { value: unknown; count: number; share: number }[] | null;
  leakage: { column: string; score: number; how: 'purity' | 'correlation' }[];
  findings: Finding[];
}

const esc = (s: unknown): string => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (x: number): string => (x === 0 ? '0%' : x < 0.001 ? '<0.1%' : `${(x * 100).toFixed(1)}%`);
const int = (x: number): string => x.toLocaleString('en-US');
const num = (x: number): string => (Number.isInteger(x) ? int(x) : Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(3));
const colors: Record<Severity, string> = { error: '#c62828', warning: '#ef6c00', info: '#1565c0' };

/** The result of `lepton.check`: displays as HTML; `toJSON()` gives the same content as plain data. */
export class DataQualityReport {
  constructor(private readonly data: DataQualityData) {}

  /** The findings, most serious first. */
  get findings(): Finding[] {
    return this.data.findings;
  }

  /** The report as plain JSON-ready data. */
  toJSON(): DataQualityData {
    return JSON.parse(JSON.stringify(this.data)) as DataQualityData;
  }

  /** The report as HTML: a summary line, the findings with their fixes, then details per section. */
  toHTML(): string {
    const d = this.data;
    const table = (head: string[], rows: string[][]) =>
      `<table style="border-collapse:collapse;font-size:12px"><thead><tr>${head.map((h) => `<th style="text-align:left;padding:2px 8px;border-bottom:1px solid #ccc">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td style="padding:2px 8px">${c}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    const section = (title: string, body: string) => `<details open><summary style="font-weight:600;margin-top:6px">${esc(title)}</summary>${body}</details>`;
    const sampleNote = d.sampled ? ` Outlier bounds, correlations and leakage use a seeded sample of ${int(d.sampledRows)} rows; missing, distinct and duplicate counts are exact.` : '';
    const parts: string[] = [];
    parts.push(
      `<div style="font-weight:600;font-size:14px">Data quality: ${int(d.rows)} rows × ${d.columns} columns${d.target ? `, target ${esc(d.target)}` : ''} — ${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}</div>`,
      `<div style="color:#666;font-size:12px">Checked in ${d.seconds.toFixed(2)} s.${esc(sampleNote)}</div>`,
    );
    if (d.findings.length) {
      parts.push(
        section(
          'Findings',
          `<ul style="padding-left:18px;margin:4px 0">${d.findings
            .map((f) => `<li><span style="color:${colors[f.severity]};font-weight:600">${f.severity}</span> ${esc(f.message)}<br><code style="font-size:11px">${esc(f.fix)}</code></li>`)
            .join('')}</ul>`,
        ),
      );
    } else parts.push('<div style="color:#2e7d32">No problems found.</div>');
    parts.push(
      section(
        'Columns',
        table(
          ['column', 'type', 'missing', 'missing %', 'distinct', 'top value %'],
          d.columnReports.map((c) => [esc(c.name), esc(c.type), int(c.missing), pct(c.missingShare), int(c.distinct), c.topShare === null ? '—' : pct(c.topShare)]),
        ) + `<div style="font-size:12px">Duplicated rows: ${int(d.duplicateRows)} (${pct(d.rows ? d.duplicateRows / d.rows : 0)})</div>`,
      ),
    );
    if (d.outliers.length) {
      parts.push(section('Outliers (IQR rule)', table(['column', 'count', 'bounds', 'examples'], d.outliers.map((o) => [esc(o.column), int(o.count), `${num(o.low)} … ${num(o.high)}`, esc(o.examples.map(num).join(', '))]))));
    }
    if (d.correlated.length) parts.push(section('Highly correlated pairs (|r| ≥ 0.9)', table(['a', 'b', 'r'], d.correlated.map((c) => [esc(c.a), esc(c.b), c.r.toFixed(3)]))));
    if (d.classBalance) {
      const max = Math.max(...d.classBalance.map((c) => c.share));
      parts.push(
        section(
          `Class balance of ${d.target}`,
          table(
            ['class', 'count', 'share', ''],
            d.classBalance.slice(0, 20).map((c) => [esc(c.value), int(c.count), pct(c.share), `<div style="background:#4c78a8;height:10px;width:${Math.round((c.share / max) * 120)}px"></div>`]),
          ) + (d.classBalance.length > 20 ? `<div style="font-size:12px">… and ${d.classBalance.length - 20} more classes (all in toJSON()).</div>` : ''),
        ),
      );
    }
    if (d.leakage.length) parts.push(section('Leakage hints', table(['column', 'score', 'how'], d.leakage.map((l) => [esc(l.column), l.score.toFixed(3), l.how === 'purity' ? 'value → one class' : '|r| with target']))));
    return `<div class="lepton-check" style="font-family:sans-serif">${parts.join('')}</div>`;
  }

  /** A plain-text summary: one line per finding. */
  toString(): string {
    const d = this.data;
    const head = `Data quality: ${int(d.rows)} rows × ${d.columns} columns, ${d.findings.length} finding(s)${d.sampled ? ` (sampled ${int(d.sampledRows)} rows for outliers/correlation/leakage)` : ''}`;
    return [head, ...d.findings.map((f) => `- [${f.severity}] ${f.message}\n    fix: ${f.fix}`)].join('\n');
  }

  [displaySymbol](): MimeBundle {
    return { 'text/html': this.toHTML(), 'text/plain': this.toString(), 'application/json': this.toJSON() };
  }
}
