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
  /** How serious it is; findings are listed errors first. */
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
  /** The column's name. */
  name: string;
  /** Its inferred value type. */
  type: ColumnKind;
  /** Rows where it is missing (null, undefined or NaN). */
  missing: number;
  /** `missing` as a share of all rows, in [0, 1]. */
  missingShare: number;
  /** Distinct present values (exact, over all rows). */
  distinct: number;
  /** Share of the most frequent value among present values (null when not counted). */
  topShare: number | null;
}

/** Everything `lepton.check` reports. */
export interface DataQualityData {
  /** Rows in the frame. */
  rows: number;
  /** Columns in the frame. */
  columns: number;
  /** The label column (`options.target`), or null when none was given. */
  target: string | null;
  /** Rows used for outlier bounds, correlations and leakage (all rows when not sampled). */
  sampledRows: number;
  /** Whether the frame was larger than `sampleAbove`, so the sample-based checks used `sampledRows` rows. */
  sampled: boolean;
  /** How long the check took, in seconds. */
  seconds: number;
  /** Facts per column, in the frame's column order. */
  columnReports: ColumnReport[];
  /** Rows equal to an earlier row (exact, over all rows). */
  duplicateRows: number;
  /** Numeric columns with values outside the IQR fences (Q1 − 1.5·IQR, Q3 + 1.5·IQR); the target is not checked. */
  outliers: {
    /** The column. */
    column: string;
    /** The lower fence, Q1 − 1.5·IQR (quartiles of the sample). */
    low: number;
    /** The upper fence, Q3 + 1.5·IQR. */
    high: number;
    /** Values outside the fences, counted over all rows. */
    count: number;
    /** Up to five distinct outlying values. */
    examples: number[];
  }[];
  /** Pairs of numeric feature columns with |r| ≥ 0.9. */
  correlated: {
    /** The first column. */
    a: string;
    /** The second column (the one the suggested fix drops). */
    b: string;
    /** Pearson's correlation coefficient, in [−1, 1]. */
    r: number;
  }[];
  /** Rows per class of a categorical target, largest first; null without a target or for a continuous one. */
  classBalance:
    | {
        /** The class. */
        value: unknown;
        /** Rows with that class. */
        count: number;
        /** `count` as a share of the rows where the target is present, in [0, 1]. */
        share: number;
      }[]
    | null;
  /** Columns that predict the target almost perfectly, a sign they would not be known at prediction time. */
  leakage: {
    /** The suspicious column. */
    column: string;
    /** How well it predicts the target, in [0, 1]: purity, or |r| for a numeric target. */
    score: number;
    /**
     * `purity`: the share of rows whose target is the most frequent class for their value of the column (≥ 0.99);
     * `correlation`: |r| with a continuous target (≥ 0.98).
     */
    how: 'purity' | 'correlation';
  }[];
  /** Everything found, most serious first (the same list as `DataQualityReport.findings`). */
  findings: Finding[];
}

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (x: number): string => (x === 0 ? '0%' : x < 0.001 ? '<0.1%' : `${(x * 100).toFixed(1)}%`);
const int = (x: number): string => x.toLocaleString('en-US');
const num = (x: number): string =>
  Number.isInteger(x) ? int(x) : Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(3);
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
    const section = (title: string, body: string) =>
      `<details open><summary style="font-weight:600;margin-top:6px">${esc(title)}</summary>${body}</details>`;
    const sampleNote = d.sampled
      ? ` Outlier bounds, correlations and leakage use a seeded sample of ${int(d.sampledRows)} rows; missing, distinct and duplicate counts are exact.`
      : '';
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
            .map(
              (f) =>
                `<li><span style="color:${colors[f.severity]};font-weight:600">${f.severity}</span> ${esc(f.message)}<br><code style="font-size:11px">${esc(f.fix)}</code></li>`,
            )
            .join('')}</ul>`,
        ),
      );
    } else parts.push('<div style="color:#2e7d32">No problems found.</div>');
    parts.push(
      section(
        'Columns',
        table(
          ['column', 'type', 'missing', 'missing %', 'distinct', 'top value %'],
          d.columnReports.map((c) => [
            esc(c.name),
            esc(c.type),
            int(c.missing),
            pct(c.missingShare),
            int(c.distinct),
            c.topShare === null ? '—' : pct(c.topShare),
          ]),
        ) +
          `<div style="font-size:12px">Duplicated rows: ${int(d.duplicateRows)} (${pct(d.rows ? d.duplicateRows / d.rows : 0)})</div>`,
      ),
    );
    if (d.outliers.length) {
      parts.push(
        section(
          'Outliers (IQR rule)',
          table(
            ['column', 'count', 'bounds', 'examples'],
            d.outliers.map((o) => [
              esc(o.column),
              int(o.count),
              `${num(o.low)} … ${num(o.high)}`,
              esc(o.examples.map(num).join(', ')),
            ]),
          ),
        ),
      );
    }
    if (d.correlated.length)
      parts.push(
        section(
          'Highly correlated pairs (|r| ≥ 0.9)',
          table(
            ['a', 'b', 'r'],
            d.correlated.map((c) => [esc(c.a), esc(c.b), c.r.toFixed(3)]),
          ),
        ),
      );
    if (d.classBalance) {
      const max = Math.max(...d.classBalance.map((c) => c.share));
      parts.push(
        section(
          `Class balance of ${d.target}`,
          table(
            ['class', 'count', 'share', ''],
            d.classBalance
              .slice(0, 20)
              .map((c) => [
                esc(c.value),
                int(c.count),
                pct(c.share),
                `<div style="background:#4c78a8;height:10px;width:${Math.round((c.share / max) * 120)}px"></div>`,
              ]),
          ) +
            (d.classBalance.length > 20
              ? `<div style="font-size:12px">… and ${d.classBalance.length - 20} more classes (all in toJSON()).</div>`
              : ''),
        ),
      );
    }
    if (d.leakage.length)
      parts.push(
        section(
          'Leakage hints',
          table(
            ['column', 'score', 'how'],
            d.leakage.map((l) => [
              esc(l.column),
              l.score.toFixed(3),
              l.how === 'purity' ? 'value → one class' : '|r| with target',
            ]),
          ),
        ),
      );
    return `<div class="lepton-check" style="font-family:sans-serif">${parts.join('')}</div>`;
  }

  /** A plain-text summary: one line per finding. */
  toString(): string {
    const d = this.data;
    const head = `Data quality: ${int(d.rows)} rows × ${d.columns} columns, ${d.findings.length} finding(s)${d.sampled ? ` (sampled ${int(d.sampledRows)} rows for outliers/correlation/leakage)` : ''}`;
    return [head, ...d.findings.map((f) => `- [${f.severity}] ${f.message}\n    fix: ${f.fix}`)].join('\n');
  }

  /** Shows the report in a notebook: HTML, with a plain-text summary and the JSON data. */
  [displaySymbol](): MimeBundle {
    return { 'text/html': this.toHTML(), 'text/plain': this.toString(), 'application/json': this.toJSON() };
  }
}
