import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';
import type { CompressManifest, ModelEntry } from './compress-worker.js';

/** One file as the peer script measured it in Python's onnxruntime. */
interface Measured {
  bytes: number;
  accuracy: number;
  max_abs_diff: number;
  p50_ms: number;
  throughput: number;
  p50_ms_best: number;
  throughput_best: number;
  p50_ms_rounds: number[];
  throughput_rounds: number[];
}

interface PeerOutput {
  onnxruntime: string;
  threads: number;
  rounds: number;
  /** model → file key (`fp32`, `lepton:VARIANT`, `ort-SETTING`) → figures. */
  models: Record<string, Record<string, Measured>>;
}

/** A variant may lose at most this many accuracy points against fp32 to count as a usable setting (the floor). */
const MAX_DROP_POINTS = 1;

/** Lepton's side in a fresh process (training, export, quantize, prune, distill, report). */
function ours(dir: string): CompressManifest {
  const worker = fileURLToPath(new URL('./compress-worker.js', import.meta.url));
  const out = execFileSync(process.execPath, [worker, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as CompressManifest;
}

/** onnxruntime.quantization on the same fp32 files, and every file measured in one Python onnxruntime; null when it cannot run. */
function peer(dir: string, log: (line: string) => void): PeerOutput | null {
  const python = join(anchorsDir, 'venv', 'bin', 'python');
  if (!existsSync(python)) {
    log(`onnxruntime.quantization missing: no ${python} (run ../shared/anchors/setup.sh)`);
    return null;
  }
  try {
    const out = execFileSync(python, [join(repoRoot, 'bench', 'python', 'compress_ort.py'), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000, env: { ...process.env, OMP_NUM_THREADS: '2' } });
    return JSON.parse(out.trim().split('\n').pop()!) as PeerOutput;
  } catch (error) {
    log(`onnxruntime.quantization not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** The fastest of `keys` at batch 256 among those within MAX_DROP_POINTS of fp32's accuracy (what a user would ship). */
function best(files: Record<string, Measured>, keys: string[]): string | null {
  const fp32 = files.fp32!.accuracy;
  const usable = keys.filter((k) => (files[k]!.accuracy - fp32) * 100 >= -MAX_DROP_POINTS);
  return usable.reduce<string | null>((a, k) => (a === null || files[k]!.throughput > files[a]!.throughput ? k : a), null);
}

const pct = (a: number) => `${(a * 100).toFixed(2)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** Lepton's and onnxruntime.quantization's int8 files of a model: all settings, or the static (QDQ) ones only. */
function keysOf(entry: ModelEntry, files: Record<string, Measured>, which: 'all' | 'static'): { ours: string[]; theirs: string[] } {
  const keep = (k: string) => which === 'all' || k.includes('static');
  return {
    ours: Object.keys(entry.variants).filter((v) => v.startsWith('int8') && keep(v)).map((v) => `lepton:${v}`),
    theirs: Object.keys(files).filter((k) => k.startsWith('ort-') && keep(k)),
  };
}

/**
 * Per-model cases, all measured in Python's onnxruntime: Lepton's best int8 setting against onnxruntime.quantization's
 * best (`_int8`), and the best static (QDQ, integer kernels) setting of each (`_int8_static`), with fp32 beside them.
 */
function modelCases(entry: ModelEntry, files: Record<string, Measured> | undefined, log: (line: string) => void): BenchCase[] {
  const m = entry.name;
  if (files) {
    for (const [k, f] of Object.entries(files)) {
      log(`${m} ${k.padEnd(28)} ${String(f.bytes).padStart(8)} B  acc ${pct(f.accuracy)}  max|Δ| ${f.max_abs_diff.toExponential(2)}  ` +
        `p50 ${f.p50_ms.toFixed(3)} ms (best ${f.p50_ms_best.toFixed(3)})  ${Math.round(f.throughput)}/s (best ${Math.round(f.throughput_best)})`);
    }
  }
  const cases: BenchCase[] = [];
  for (const which of ['all', 'static'] as const) {
    const keys = files ? keysOf(entry, files, which) : { ours: [], theirs: [] };
    const ourKey = files ? best(files, keys.ours) : null;
    const peerKey = files ? best(files, keys.theirs) : null;
    log(`${m} (${which === 'all' ? 'any setting' : 'static settings'}): Lepton's best ${ourKey ?? 'none'}, onnxruntime.quantization's best ${peerKey ?? 'none'} (fastest at batch 256 within ${MAX_DROP_POINTS} point of fp32)`);
    const pick = (key: string | null, field: keyof Measured) => (files && key ? (files[key]![field] as number) : null);
    const row = (metric: string, unit: string, better: 'lower' | 'higher', field: keyof Measured): BenchCase => ({
      suite: 'compress',
      case: which === 'all' ? `${m}_int8` : `${m}_int8_static`,
      metric,
      unit,
      better,
      lepton: pick(ourKey, field),
      peers: { 'ort-quant': pick(peerKey, field), fp32: pick('fp32', field) },
    });
    cases.push(row('throughput_b256', 'samples/s', 'higher', 'throughput'), row('p50_b1', 'ms', 'lower', 'p50_ms'), row('max_abs_diff', 'vs fp32 output', 'lower', 'max_abs_diff'));
    if (which === 'all') cases.push(row('accuracy', 'fraction', 'higher', 'accuracy'), row('file_size', 'bytes', 'lower', 'bytes'));
  }
  return cases;
}

/** int8 quantization, 80% pruning and distillation on MNIST, Lepton against Python's onnxruntime.quantization on the same fp32 ONNX. */
export const compressSuite: Suite = {
  name: 'compress',
  description:
    'reference CNN (MNIST, 8,000 train / 2,000 test) and 784-1024-1024-10 MLP: Lepton int8 vs onnxruntime.quantization best setting vs fp32, ' +
    'every file timed in the same Python onnxruntime (2 intra-op threads, median of 25 interleaved rounds); 80% pruning + fine-tune; distillation',
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'lepton-bench-compress-'));
    try {
      const t0 = performance.now();
      const o = ours(dir);
      log(`Lepton side done in ${((performance.now() - t0) / 1000).toFixed(0)} s (backend ${o.backend}; training s: ${JSON.stringify(o.trainSeconds)})`);
      const p = peer(dir, log);
      if (p) log(`peer: onnxruntime ${p.onnxruntime} (Python), ${p.threads} intra-op threads, median of ${p.rounds} interleaved rounds (best round in brackets)`);
      const cases: BenchCase[] = [];
      for (const entry of o.models) {
        log(`${entry.name} lepton.compress.report (onnxruntime-node, ${o.threads} threads):`);
        for (const r of entry.report.rows) {
          log(`  ${r.name.padEnd(20)} ${String(r.bytes).padStart(8)} B (gzip ${r.gzipBytes})  acc ${pct(r.accuracy)}  p50 ${r.latencyP50Ms.toFixed(3)} ms  ${Math.round(r.throughput)}/s`);
        }
        log(`  recommendation: ${entry.report.recommendation}`);
        cases.push(...modelCases(entry, p?.models[entry.name], log));
      }
      const cnn = o.models.find((e) => e.name === 'cnn')!;
      const mlp = o.models.find((e) => e.name === 'mlp')!;
      const reportRow = (e: ModelEntry, n: string) => e.report.rows.find((r) => r.name === n)!;
      cases.push(
        { suite: 'compress', case: 'cnn_pruned80', metric: 'accuracy', unit: 'fraction', better: 'higher', lepton: o.prune.prunedAccuracy, peers: { 'ort-quant': null, fp32: o.prune.fp32Accuracy } },
        { suite: 'compress', case: 'cnn_distilled', metric: 'accuracy', unit: 'fraction', better: 'higher', lepton: o.distill.studentAccuracy, peers: { 'ort-quant': null, fp32: o.distill.teacherAccuracy } },
      );

      // Floor checks of the issue, each on the measurement it names.
      const fp32 = reportRow(cnn, 'fp32');
      const q = reportRow(cnn, 'int8-static-pc');
      const checks = [
        `CNN int8 size ${(q.bytes / fp32.bytes).toFixed(3)}× fp32 (${verdict(q.bytes <= 0.3 * fp32.bytes)}, ≤ 0.3×)`,
        `CNN int8 accuracy drop ${((fp32.accuracy - q.accuracy) * 100).toFixed(2)} pt (${verdict(fp32.accuracy - q.accuracy <= 0.01)}, ≤ 1)`,
        `80% pruning drop ${((o.prune.fp32Accuracy - o.prune.prunedAccuracy) * 100).toFixed(2)} pt at ${(o.prune.overall * 100).toFixed(1)}% sparsity (${verdict(o.prune.fp32Accuracy - o.prune.prunedAccuracy <= 0.01)}, ≤ 1)`,
        `student ${o.distill.studentParams}/${o.distill.teacherParams} params (${(o.distill.studentParams / o.distill.teacherParams).toFixed(2)}×), ` +
          `${((o.distill.teacherAccuracy - o.distill.studentAccuracy) * 100).toFixed(2)} pt below the teacher (${verdict(o.distill.studentParams <= 0.5 * o.distill.teacherParams && o.distill.teacherAccuracy - o.distill.studentAccuracy <= 0.015)}, ≤ 0.5× params and ≤ 1.5 pt)`,
        `CNN report (onnxruntime-node) shows int8-static-pc at ${(q.throughput / fp32.throughput).toFixed(2)}× fp32 throughput and recommends ${cnn.report.recommended} ` +
          `(${verdict(reportRow(cnn, cnn.report.recommended).throughput >= Math.max(...cnn.report.rows.filter((r) => r.name.startsWith('int8')).map((r) => r.throughput)))}: not a slower int8 variant)`,
      ];
      const mlpRows = mlp.report.rows;
      const mlpFp32 = reportRow(mlp, 'fp32');
      const mlpBest = mlpRows.filter((r) => r.name.startsWith('int8-static')).reduce((a, b) => (b.throughput > a.throughput ? b : a));
      checks.push(`MLP int8 (${mlpBest.name}) ${(mlpBest.throughput / mlpFp32.throughput).toFixed(2)}× fp32 throughput in onnxruntime-node (${verdict(mlpBest.throughput >= 2 * mlpFp32.throughput)}, ≥ 2×)`);
      if (p) {
        for (const e of o.models) {
          const files = p.models[e.name]!;
          for (const which of ['all', 'static'] as const) {
            const keys = keysOf(e, files, which);
            const ourKey = best(files, keys.ours);
            const peerKey = best(files, keys.theirs);
            if (!ourKey || !peerKey) continue;
            const a = files[ourKey]!;
            const b = files[peerKey]!;
            const accurate = keys.theirs.reduce((x, k) => (files[k]!.max_abs_diff < files[x]!.max_abs_diff ? k : x));
            checks.push(
              `${e.name} ${which === 'all' ? 'best' : 'best static'}: Lepton ${ourKey.slice(7)} vs ${peerKey}: throughput ${(a.throughput / b.throughput).toFixed(2)}× (${verdict(a.throughput >= b.throughput)}, ≥ 1×), ` +
                `max|Δ| ${a.max_abs_diff.toExponential(2)} vs ${b.max_abs_diff.toExponential(2)} (${verdict(a.max_abs_diff <= b.max_abs_diff)}; ORT's most accurate, ${accurate}: ${files[accurate]!.max_abs_diff.toExponential(2)}); ` +
                `int8/fp32 throughput in Python onnxruntime ${(a.throughput / files.fp32!.throughput).toFixed(2)}× (ORT's ${(b.throughput / files.fp32!.throughput).toFixed(2)}×)`,
            );
          }
        }
      }
      log(`floor checks: ${checks.join('; ')}`);
      return cases;
    } finally {
      if (process.env.LEPTON_BENCH_KEEP) log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
  },
};
