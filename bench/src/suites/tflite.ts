// `npm run bench -- tflite`: Lepton's .tflite files against TensorFlow's own TFLiteConverter on the same CNN with the
// same weights (float32, and full-integer int8 from the same 256 calibration digits), all measured in one
// TensorFlow Lite interpreter: file size, batch-1 latency (median of 1,000 invokes, one thread), int8 accuracy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsDir, leptonProcessEnv, repoRoot } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';
import type { TfliteManifest } from './tflite-worker.js';

interface Measured {
  bytes: number;
  accuracy: number;
  latency_ms: number;
  ops: string[];
}

interface PeerOutput {
  tensorflow: string;
  keras_accuracy: number;
  files: Record<'lepton-fp32' | 'lepton-int8' | 'tf-fp32' | 'tf-int8', Measured>;
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

export const tfliteSuite: Suite = {
  name: 'tflite',
  description:
    "Lepton's .tflite export vs TensorFlow's TFLiteConverter (same CNN and weights; size, interpreter latency, int8 accuracy)",
  run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'lepton-bench-tflite-'));
    try {
      const worker = fileURLToPath(new URL('./tflite-worker.js', import.meta.url));
      const out = execFileSync(process.execPath, [worker, dir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 900_000,
        env: leptonProcessEnv(),
      });
      const manifest = JSON.parse(out.trim().split('\n').pop()!) as TfliteManifest;
      log(`trained the reference CNN in ${manifest.trainSeconds} s`);
      const python = join(anchorsDir, 'venv', 'bin', 'python');
      let peer: PeerOutput | null = null;
      if (!existsSync(python)) log(`TensorFlow missing: no ${python} (run ../shared/anchors/setup.sh)`);
      else {
        try {
          const text = execFileSync(python, [join(repoRoot, 'bench', 'python', 'tflite_peer.py'), dir], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
            timeout: 900_000,
            env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
          });
          peer = JSON.parse(text.trim().split('\n').pop()!) as PeerOutput;
        } catch (error) {
          log(`TFLiteConverter not measured (${(error as Error).message.split('\n')[0]})`);
        }
      }
      if (!peer) return [];
      const f = peer.files;
      log(`TensorFlow ${peer.tensorflow}; Keras copy's accuracy ${(peer.keras_accuracy * 100).toFixed(2)}%`);
      for (const [name, m] of Object.entries(f))
        log(
          `  ${name.padEnd(12)} ${String(m.bytes).padStart(8)} B  acc ${(m.accuracy * 100).toFixed(2)}%  p50 ${m.latency_ms.toFixed(4)} ms  ops ${m.ops.join(',')}`,
        );
      const sizeOk =
        f['lepton-fp32'].bytes <= 1.05 * f['tf-fp32'].bytes && f['lepton-int8'].bytes <= 1.05 * f['tf-int8'].bytes;
      const latencyOk =
        f['lepton-fp32'].latency_ms <= 1.1 * f['tf-fp32'].latency_ms &&
        f['lepton-int8'].latency_ms <= 1.1 * f['tf-int8'].latency_ms;
      const accuracyOk = f['lepton-int8'].accuracy >= f['tf-int8'].accuracy - 0.005;
      log(
        `floor: size ≤ 1.05× TF's ${verdict(sizeOk)}; latency ≤ 1.1× TF's ${verdict(latencyOk)}; int8 accuracy ≥ TF's − 0.5 pt ${verdict(accuracyOk)}`,
      );
      const c = (
        kase: string,
        metric: string,
        unit: string,
        better: 'lower' | 'higher',
        lepton: number,
        tf: number,
      ): BenchCase => ({ suite: 'tflite', case: kase, metric, unit, better, lepton, peers: { tf } });
      return [
        c('tflite_size', 'cnn float32 file', 'bytes', 'lower', f['lepton-fp32'].bytes, f['tf-fp32'].bytes),
        c('tflite_size', 'cnn int8 file', 'bytes', 'lower', f['lepton-int8'].bytes, f['tf-int8'].bytes),
        c(
          'tflite_latency',
          'cnn float32, batch 1, p50 of 1,000',
          'ms',
          'lower',
          f['lepton-fp32'].latency_ms,
          f['tf-fp32'].latency_ms,
        ),
        c(
          'tflite_latency',
          'cnn int8, batch 1, p50 of 1,000',
          'ms',
          'lower',
          f['lepton-int8'].latency_ms,
          f['tf-int8'].latency_ms,
        ),
        c(
          'tflite_int8_accuracy',
          'cnn int8 on 2,000 test digits',
          'accuracy',
          'higher',
          f['lepton-int8'].accuracy,
          f['tf-int8'].accuracy,
        ),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
