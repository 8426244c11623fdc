import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { anchorsDir, repoRoot, venvPython } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';

interface Latency {
  start_s: number;
  trivial_p50_ms: number;
  library_p50_ms?: number;
}

/** Runs bench/python/kernel_latency.py on one kernel; null (reported as missing) when it cannot run. */
function measure(kernel: string, libraryCell: string | undefined, log: (line: string) => void): Latency | null {
  try {
    const out = execFileSync(
      venvPython,
      [join(repoRoot, 'bench', 'python', 'kernel_latency.py'), kernel, repoRoot, ...(libraryCell ? [libraryCell] : [])],
      {
        encoding: 'utf8',
        env: { ...process.env, JUPYTER_PATH: [join(repoRoot, '.venv', 'share', 'jupyter'), anchorsDir].join(':') },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 600_000,
      },
    );
    return JSON.parse(out.trim().split('\n').pop()!) as Latency;
  } catch (error) {
    log(`${kernel}: not measured (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** Kernel start-up and per-cell latency, Lepton against tslab and Deno's kernel. */
export const kernelSuite: Suite = {
  name: 'kernel',
  description: 'start → kernel_info_reply, p50 of 20 trivial cells, p50 of 20 cells using the preloaded library',
  run(log) {
    if (!existsSync(join(anchorsDir, 'kernels')))
      log(`peers missing: run ../shared/anchors/setup.sh (looked in ${anchorsDir})`);
    const lepton = measure('lepton', 'tf.tensor([1, 2, 3]).sum().dataSync()[0] + lepton.version.length', log);
    const tslab = measure(
      'tslab',
      'import * as tf from "@tensorflow/tfjs"; tf.tensor([1, 2, 3]).sum().dataSync()[0]',
      log,
    );
    const deno = measure('deno', undefined, log);
    const peers = (pick: (l: Latency) => number | undefined) => ({
      tslab: tslab ? (pick(tslab) ?? null) : null,
      deno: deno ? (pick(deno) ?? null) : null,
    });
    const cases: BenchCase[] = [
      {
        suite: 'kernel',
        case: 'start',
        metric: 's',
        unit: 's',
        better: 'lower',
        lepton: lepton?.start_s ?? null,
        peers: peers((l) => l.start_s),
      },
      {
        suite: 'kernel',
        case: 'trivial_cell',
        metric: 'p50_ms',
        unit: 'ms',
        better: 'lower',
        lepton: lepton?.trivial_p50_ms ?? null,
        peers: peers((l) => l.trivial_p50_ms),
      },
      {
        suite: 'kernel',
        case: 'library_cell',
        metric: 'p50_ms',
        unit: 'ms',
        better: 'lower',
        lepton: lepton?.library_p50_ms ?? null,
        peers: peers((l) => l.library_p50_ms),
      },
    ];
    if (lepton && tslab) {
      log(
        `floor checks: start ${lepton.start_s <= tslab.start_s ? 'met' : 'MISSED'} (≤ tslab start); ` +
          `trivial p50 ${lepton.trivial_p50_ms <= tslab.trivial_p50_ms / 2 ? 'met' : 'MISSED'} (≤ ½ tslab trivial); ` +
          `library p50 ${(lepton.library_p50_ms ?? Infinity) <= tslab.trivial_p50_ms ? 'met' : 'MISSED'} (≤ tslab trivial)`,
      );
    }
    return cases;
  },
};
