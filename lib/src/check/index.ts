/**
 * `lepton.check`: a data-quality report of a DataFrame — types, missing values, constant columns, duplicated rows,
 * outliers, correlated pairs, class balance and leakage hints, each finding with a fix as Lepton code.
 * @packageDocumentation
 */
import type { ColumnTable } from 'arquero';
import { assertColumns, badArgument } from '../data/errors.js';
import { isNumericKind } from '../data/columns.js';
import { seededRandom } from '../core/random.js';
import { DataQualityReport, type DataQualityData, type Finding } from './report.js';
import { countDuplicates, findOutliers, numbersAt, pearson, purity, sampleRows, scanColumn, valuesOf } from './scan.js';

export { DataQualityReport, type DataQualityData, type Finding, type ColumnReport, type Severity } from './report.js';

/** Options of `check`. */
export interface CheckOptions {
  /** The label column: adds class balance and leakage hints. */
  target?: string;
  /** Frames with more rows are sampled for outliers, correlations and leakage (default 200,000). */
  sampleAbove?: number;
  /** Rows in that sample (default 100,000). */
  sampleSize?: number;
  /** Seed of the sample (default 0). */
  seed?: number;
}

const q = (name: string): string => JSON.stringify(name);
const dropFix = (name: string): string => `df = df.select(aq.not(${q(name)}))`;
const order: Record<Finding['severity'], number> = { error: 0, warning: 1, info: 2 };

/**
 * Checks a DataFrame's quality. Missing, distinct and duplicate counts are exact; on frames over 200,000 rows the
 * outlier bounds, correlations and leakage hints come from a seeded sample (the report says so).
 * @example lepton.check(lepton.datasets.penguins(), { target: 'Species' })
 */
export function check(df: ColumnTable, options: CheckOptions = {}): DataQualityReport {
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!df || typeof (df as Partial<ColumnTable>).columnNames !== 'function')
    throw badArgument('check: expected a DataFrame (or arquero table).');
  const names = df.columnNames();
  const target = options.target ?? null;
  if (target !== null) assertColumns([target], names, 'check');
  const rows = df.numRows();
  const values = names.map((n) => valuesOf(df, n));
  const scans = names.map((n, j) => scanColumn(n, values[j]!));
  const findings: Finding[] = [];

  const columnReports = scans.map((s) => {
    const present = rows - s.missing;
    return {
      name: s.name,
      type: s.kind,
      missing: s.missing,
      missingShare: rows ? s.missing / rows : 0,
      distinct: s.distinct,
      topShare: s.top && present ? s.top.count / present : null,
    };
  });
  for (const c of columnReports) {
    if (c.missing > 0 && c.name !== target) {
      const numeric = isNumericKind(c.type);
      const fix =
        c.missingShare > 0.5
          ? dropFix(c.name)
          : `lepton.preprocess.imputer({ columns: [${q(c.name)}], strategy: '${numeric ? 'median' : 'most-frequent'}' }).fitTransform(df)`;
      findings.push({
        kind: 'missing',
        severity: c.missingShare > 0.5 ? 'error' : 'warning',
        columns: [c.name],
        message: `${c.name}: ${c.missing.toLocaleString('en-US')} missing values (${(c.missingShare * 100).toFixed(1)}%).`,
        fix,
      });
    } else if (c.missing > 0) {
      findings.push({
        kind: 'missing',
        severity: 'error',
        columns: [c.name],
        message: `The target ${c.name} is missing in ${c.missing.toLocaleString('en-US')} rows.`,
        fix: `df = df.filter(aq.escape((d) => d[${q(c.name)}] != null))`,
      });
    }
    if (c.name === target || rows === 0) continue;
    if (c.distinct <= 1) {
      findings.push({
        kind: 'constant',
        severity: 'warning',
        columns: [c.name],
        message: `${c.name} is constant (${c.distinct} distinct value): it carries no information.`,
        fix: dropFix(c.name),
      });
    } else if (c.topShare !== null && c.topShare >= 0.99) {
      findings.push({
        kind: 'near-constant',
        severity: 'info',
        columns: [c.name],
        message: `${c.name} is near-constant: one value in ${(c.topShare * 100).toFixed(1)}% of rows.`,
        fix: dropFix(c.name),
      });
    }
  }

  const duplicateRows = countDuplicates(values, rows);
  if (duplicateRows > 0) {
    findings.push({
      kind: 'duplicates',
      severity: 'warning',
      columns: [],
      message: `${duplicateRows.toLocaleString('en-US')} duplicated rows (${((duplicateRows / rows) * 100).toFixed(1)}%).`,
      fix: 'df = df.dedupe()',
    });
  }

  // Sample-based checks.
  const sampleAbove = options.sampleAbove ?? 200_000;
  const sample =
    rows > sampleAbove ? sampleRows(rows, options.sampleSize ?? 100_000, seededRandom(options.seed ?? 0)) : null;
  const sampledRows = sample ? sample.length : rows;
  const numericIdx = names.map((_, j) => j).filter((j) => isNumericKind(scans[j]!.kind) && scans[j]!.distinct > 1);
  const sampled = new Map<number, Float64Array>(numericIdx.map((j) => [j, numbersAt(values[j]!, sample)]));

  const outliers: DataQualityData['outliers'] = [];
  for (const j of numericIdx) {
    if (names[j] === target) continue;
    const o = findOutliers(names[j]!, sampled.get(j)!, values[j]!);
    if (!o) continue;
    outliers.push({ column: o.column, low: o.low, high: o.high, count: o.count, examples: o.examples });
    const [lo, hi] = [o.low, o.high].map((v) => Number(v.toPrecision(6)));
    findings.push({
      kind: 'outliers',
      severity: 'info',
      columns: [o.column],
      message: `${o.column}: ${o.count.toLocaleString('en-US')} outliers outside [${lo}, ${hi}] (IQR rule), e.g. ${o.examples.join(', ')}.`,
      fix: `df = df.derive({ ${q(o.column)}: aq.escape((d) => (d[${q(o.column)}] == null ? d[${q(o.column)}] : Math.min(Math.max(d[${q(o.column)}], ${lo}), ${hi}))) })`,
    });
  }

  const features = numericIdx.filter((j) => names[j] !== target);
  const correlated: DataQualityData['correlated'] = [];
  for (let a = 0; a < features.length; a++) {
    for (let b = a + 1; b < features.length; b++) {
      const r = pearson(sampled.get(features[a]!)!, sampled.get(features[b]!)!);
      if (Math.abs(r) >= 0.9) {
        const [na, nb] = [names[features[a]!]!, names[features[b]!]!];
        correlated.push({ a: na, b: nb, r });
        findings.push({
          kind: 'correlated',
          severity: 'info',
          columns: [na, nb],
          message: `${na} and ${nb} are highly correlated (r = ${r.toFixed(3)}): one of them is redundant.`,
          fix: dropFix(nb),
        });
      }
    }
  }

  let classBalance: DataQualityData['classBalance'] = null;
  const leakage: DataQualityData['leakage'] = [];
  if (target !== null) {
    const t = names.indexOf(target);
    const scan = scans[t]!;
    const categorical = !isNumericKind(scan.kind) || scan.distinct <= 20;
    const targetValues = values[t]!;
    if (categorical) {
      const counts = new Map<unknown, number>();
      for (let i = 0; i < rows; i++) {
        const v = targetValues[i];
        if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)))
          counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const total = [...counts.values()].reduce((x, y) => x + y, 0);
      classBalance = [...counts]
        .map(([value, count]) => ({ value, count, share: count / total }))
        .sort((x, y) => y.count - x.count);
      const [major, minor] = [classBalance[0], classBalance[classBalance.length - 1]];
      if (major && minor && classBalance.length > 1 && minor.count / major.count < 0.2) {
        findings.push({
          kind: 'imbalance',
          severity: 'warning',
          columns: [target],
          message: `${target} is imbalanced: ${String(minor.value)} has ${(minor.share * 100).toFixed(1)}% of rows, ${String(major.value)} ${(major.share * 100).toFixed(1)}%.`,
          fix: `lepton.trainTestSplit(df, { stratify: ${q(target)}, seed: 0 })`,
        });
      }
      const targetSample = sample ? Array.from(sample, (i) => targetValues[i]) : targetValues;
      for (let j = 0; j < names.length; j++) {
        if (j === t || scans[j]!.distinct <= 1) continue;
        const feature = sample ? Array.from(sample, (i) => values[j]![i]) : values[j]!;
        const score = purity(feature, targetSample, isNumericKind(scans[j]!.kind));
        if (score !== null && score >= 0.99) leakage.push({ column: names[j]!, score, how: 'purity' });
      }
    } else if (isNumericKind(scan.kind)) {
      const y = numbersAt(targetValues, sample);
      for (const j of features) {
        const r = pearson(sampled.get(j)!, y);
        if (Math.abs(r) >= 0.98) leakage.push({ column: names[j]!, score: Math.abs(r), how: 'correlation' });
      }
    }
    for (const l of leakage) {
      const how =
        l.how === 'purity'
          ? `each of its values maps to one ${target} class in ${(l.score * 100).toFixed(1)}% of rows`
          : `|r| with ${target} is ${l.score.toFixed(3)}`;
      findings.push({
        kind: 'leakage',
        severity: 'error',
        columns: [l.column],
        message: `Possible leakage: ${l.column} predicts ${target} almost perfectly (${how}). Check it is known at prediction time.`,
        fix: dropFix(l.column),
      });
    }
  }

  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return new DataQualityReport({
    rows,
    columns: names.length,
    target,
    sampledRows,
    sampled: sample !== null,
    seconds: (performance.now() - started) / 1000,
    columnReports,
    duplicateRows,
    outliers,
    correlated,
    classBalance,
    leakage,
    findings,
  });
}
