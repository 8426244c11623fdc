/** One measured case of a suite: Lepton's figure and each peer's, on the same work in the same run. */
export interface BenchCase {
  suite: string;
  case: string;
  metric: string;
  unit: string;
  better: 'lower' | 'higher';
  lepton: number | null;
  peers: Record<string, number | null>;
}

/** A suite: runs Lepton and its peers, and reports what is missing instead of failing. */
export interface Suite {
  name: string;
  description: string;
  /** Measures the cases; suites that only call child processes synchronously return them directly. */
  run(log: (line: string) => void): BenchCase[] | Promise<BenchCase[]>;
}

/** How many times better Lepton is than a peer (> 1: Lepton is better), whichever direction is better. */
export function advantage(c: BenchCase, peer: number | null): number | null {
  if (c.lepton === null || peer === null || c.lepton === 0 || peer === 0) return null;
  return c.better === 'lower' ? peer / c.lepton : c.lepton / peer;
}

const fmt = (n: number | null) =>
  n === null ? 'missing' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3);

/** A readable table: each case with Lepton, each peer, and Lepton's advantage over it. */
export function table(cases: BenchCase[]): string {
  const peers = [...new Set(cases.flatMap((c) => Object.keys(c.peers)))];
  const header = ['case', 'metric', 'lepton', ...peers.flatMap((p) => [p, `vs ${p}`])];
  const rows = cases.map((c) => [
    c.case,
    `${c.metric} (${c.unit}, ${c.better} is better)`,
    fmt(c.lepton),
    ...peers.flatMap((p) => {
      const value = c.peers[p] ?? null;
      const ratio = advantage(c, value);
      return [fmt(value), ratio === null ? '-' : `${ratio.toFixed(2)}×`];
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return (
    [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') +
    '\n("vs peer": how many times better Lepton is; > 1 is better)'
  );
}
