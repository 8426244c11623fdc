import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, leptonProcessEnv, repoRoot } from '../paths.js';
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

/** A median of per-round ratios with its bootstrap 95% interval. */
interface Ratio {
  median: number;
  low: number;
  high: number;
}

/** Each side's best setting of one model (chosen by the peer script) and, when both exist, their head-to-head timing. */
interface Choice {
  /** `lepton:VARIANT`, or null when no setting stayed within a point of fp32's accuracy. */
  lepton: string | null;
  /** `ort-SETTING`, or null likewise. */
  ort: string | null;
  rounds?: number;
  /** Lepton's throughput at batch 256 over ORT's, per round (> 1: Lepton faster). */
  throughput_ratio?: Ratio;
  /** ORT's p50 at batch 1 over Lepton's, per round (> 1: Lepton faster). */
  latency_ratio?: Ratio;
}

/** Which settings a comparison chooses from: all int8 settings, or the static (QDQ, integer kernels) ones. */
type Which = 'all' | 'static';

interface PeerModel {
  /** File key (`fp32`, `lepton:VARIANT`, `ort-SETTING`) → figures. */
  files: Record<string, Measured>;
  choices: Record<Which, Choice>;
}

interface PeerOutput {
  onnxruntime: string;
  threads: number;
  rounds: number;
  models: Record<string, PeerModel>;
}

/** Lepton's side in a fresh process (training, export, quantize, prune, distill, report). */
function ours(dir: string): CompressManifest {
  const worker = fileURLToPath(new URL('./compress-worker.js', import.meta.url));
  const out = execFileSync(process.execPath, [worker, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
    env: leptonProcessEnv(),
  });
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
    const out = execFileSync(python, [join(repoRoot, 'bench', 'python', 'compress_ort.py'), dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 900_000,
      env: { ...process.env, OMP_NUM_THREADS: '2' },
    });
    return JSON.parse(out.trim().split('\n').pop()!) as PeerOutput;
  } catch (error) {
    log(`onnxruntime.quantization not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

const pct = (a: number) => `${(a * 100).toFixed(2)}%`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** `1.003× (95% interval 0.991–1.012)` */
const ratioText = (r: Ratio) => `${r.median.toFixed(3)}× (95% interval ${r.low.toFixed(3)}–${r.high.toFixed(3)})`;

/**
 * "As fast as": Lepton's median head-to-head ratio is at least 1, or the two are a tie: no difference this run can
 * resolve (the ratio's 95% interval contains 1) and the median within 2% of 1. When both files run the same
 * onnxruntime kernels, which is the case for the MLP's static settings, a tie is the expected result.
 */
const speedVerdict = (r: Ratio) =>
  r.median >= 1
    ? 'met'
    : r.low <= 1 && r.high >= 1 && r.median >= 0.98
      ? "met: a tie within this run's noise"
      : 'MISSED';

/**
 * Per-model cases, all measured in Python's onnxruntime: Lepton's best int8 setting against onnxruntime.quantization's
 * best (`_int8`), and the best static (QDQ, integer kernels) setting of each (`_int8_static`), with fp32 beside them;
 * plus the two chosen files' head-to-head ratios, timed in rounds apart from those that chose them.
 */
function modelCases(entry: ModelEntry, peerModel: PeerModel | undefined, log: (line: string) => void): BenchCase[] {
  const m = entry.name;
  const files = peerModel?.files;
  if (files) {
    for (const [k, f] of Object.entries(files)) {
      log(
        `${m} ${k.padEnd(28)} ${String(f.bytes).padStart(8)} B  acc ${pct(f.accuracy)}  max|Δ| ${f.max_abs_diff.toExponential(2)}  ` +
          `p50 ${f.p50_ms.toFixed(3)} ms (best ${f.p50_ms_best.toFixed(3)})  ${Math.round(f.throughput)}/s (best ${Math.round(f.throughput_best)})`,
      );
    }
  }
  const cases: BenchCase[] = [];
  for (const which of ['all', 'static'] as const) {
    const choice = peerModel?.choices[which];
    const ourKey = choice?.lepton ?? null;
    const peerKey = choice?.ort ?? null;
    log(
      `${m} (${which === 'all' ? 'any setting' : 'static settings'}): Lepton's best ${ourKey ?? 'none'}, onnxruntime.quantization's best ${peerKey ?? 'none'} (fastest at batch 256 within a point of fp32's accuracy)`,
    );
    const name = which === 'all' ? `${m}_int8` : `${m}_int8_static`;
    const pick = (key: string | null, field: keyof Measured) => (files && key ? (files[key]![field] as number) : null);
    const row = (metric: string, unit: string, better: 'lower' | 'higher', field: keyof Measured): BenchCase => ({
      suite: 'compress',
      case: name,
      metric,
      unit,
      better,
      lepton: pick(ourKey, field),
      peers: { 'ort-quant': pick(peerKey, field), fp32: pick('fp32', field) },
    });
    cases.push(
      row('throughput_b256', 'samples/s', 'higher', 'throughput'),
      row('p50_b1', 'ms', 'lower', 'p50_ms'),
      row('max_abs_diff', 'vs fp32 output', 'lower', 'max_abs_diff'),
    );
    if (which === 'all')
      cases.push(row('accuracy', 'fraction', 'higher', 'accuracy'), row('file_size', 'bytes', 'lower', 'bytes'));
    const h2h = (metric: string, r: Ratio | undefined): BenchCase => ({
      suite: 'compress',
      case: name,
      metric,
      unit: '× ORT, median of head-to-head rounds',
      better: 'higher',
      lepton: r?.median ?? null,
      peers: { 'ort-quant': r ? 1 : null },
    });
    cases.push(h2h('throughput_b256_vs_ort', choice?.throughput_ratio), h2h('speed_b1_vs_ort', choice?.latency_ratio));
  }
  return cases;
}

/** int8 quantization, 80% pruning and distillation on MNIST, Lepton against Python's onnxruntime.quantization on the same fp32 ONNX. */
export const compressSuite: Suite = {
  name: 'compress',
  description:
    'reference CNN (MNIST, 8,000 train / 2,000 test) and 784-1024-1024-10 MLP: Lepton int8 vs onnxruntime.quantization best setting vs fp32, ' +
    'every file timed in the same Python onnxruntime (2 intra-op threads, median of 25 interleaved rounds, then the two best settings head to head in 100 more); 80% pruning + fine-tune; distillation',
  run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'lepton-bench-compress-'));
    try {
      const t0 = performance.now();
      const o = ours(dir);
      log(
        `Lepton side done in ${((performance.now() - t0) / 1000).toFixed(0)} s (backend ${o.backend}; training s: ${JSON.stringify(o.trainSeconds)})`,
      );
      const p = peer(dir, log);
      if (p)
        log(
          `peer: onnxruntime ${p.onnxruntime} (Python), ${p.threads} intra-op threads, median of ${p.rounds} interleaved rounds (best round in brackets)`,
        );
      const cases: BenchCase[] = [];
      for (const entry of o.models) {
        log(`${entry.name} lepton.compress.report (onnxruntime-node, ${o.threads} threads):`);
        for (const r of entry.report.rows) {
          log(
            `  ${r.name.padEnd(20)} ${String(r.bytes).padStart(8)} B (gzip ${r.gzipBytes})  acc ${pct(r.accuracy)}  p50 ${r.latencyP50Ms.toFixed(3)} ms  ${Math.round(r.throughput)}/s`,
          );
        }
        log(`  recommendation: ${entry.report.recommendation}`);
        cases.push(...modelCases(entry, p?.models[entry.name], log));
      }
      const cnn = o.models.find((e) => e.name === 'cnn')!;
      const mlp = o.models.find((e) => e.name === 'mlp')!;
      const reportRow = (e: ModelEntry, n: string) => e.report.rows.find((r) => r.name === n)!;
      cases.push(
        {
          suite: 'compress',
          case: 'cnn_pruned80',
          metric: 'accuracy',
          unit: 'fraction',
          better: 'higher',
          lepton: o.prune.prunedAccuracy,
          peers: { 'ort-quant': null, fp32: o.prune.fp32Accuracy },
        },
        {
          suite: 'compress',
          case: 'cnn_distilled',
          metric: 'accuracy',
          unit: 'fraction',
          better: 'higher',
          lepton: o.distill.studentAccuracy,
          peers: { 'ort-quant': null, fp32: o.distill.teacherAccuracy },
        },
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
      const mlpBest = mlpRows
        .filter((r) => r.name.startsWith('int8-static'))
        .reduce((a, b) => (b.throughput > a.throughput ? b : a));
      checks.push(
        `MLP int8 (${mlpBest.name}) ${(mlpBest.throughput / mlpFp32.throughput).toFixed(2)}× fp32 throughput in onnxruntime-node (${verdict(mlpBest.throughput >= 2 * mlpFp32.throughput)}, ≥ 2×)`,
      );
      if (p) {
        for (const e of o.models) {
          const { files, choices } = p.models[e.name]!;
          for (const which of ['all', 'static'] as const) {
            const c = choices[which];
            if (!c.lepton || !c.ort || !c.throughput_ratio || !c.latency_ratio) continue;
            const a = files[c.lepton]!;
            const b = files[c.ort]!;
            const theirs = Object.keys(files).filter(
              (k) => k.startsWith('ort-') && (which === 'all' || k.includes('static')),
            );
            const accurate = theirs.reduce((x, k) => (files[k]!.max_abs_diff < files[x]!.max_abs_diff ? k : x));
            checks.push(
              `${e.name} ${which === 'all' ? 'best' : 'best static'}: Lepton ${c.lepton.slice(7)} vs ${c.ort}, ${c.rounds} head-to-head rounds: ` +
                `throughput at batch 256 ${ratioText(c.throughput_ratio)} (${speedVerdict(c.throughput_ratio)}, ≥ 1×), speed at batch 1 ${ratioText(c.latency_ratio)}; ` +
                `max|Δ| ${a.max_abs_diff.toExponential(2)} vs ${b.max_abs_diff.toExponential(2)} (${verdict(a.max_abs_diff <= b.max_abs_diff)}; ORT's most accurate, ${accurate}: ${files[accurate]!.max_abs_diff.toExponential(2)}, Lepton's ${a.max_abs_diff <= files[accurate]!.max_abs_diff ? 'smaller' : 'larger'}); ` +
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
