import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { BackendError } from './errors.js';
import { installWasmTrainingKernels } from './wasm-kernels.js';
import { silenceNodeBanner } from './quiet-tf.js';
import { registeredBackendFactory } from './registry.js';

/** The backends Lepton chooses between, fastest first. */
export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;

/**
 * A TensorFlow.js backend Lepton can run on: `'tensorflow'` (native, tfjs-node), `'wasm'` or `'cpu'`.
 * @useDeclaredType
 */
export type BackendName = (typeof backendNames)[number];

/** Whether one backend can run here, and why not when it cannot. */
export interface BackendAvailability {
  /** The backend. */
  name: BackendName;
  /** Whether it can be used. */
  available: boolean;
  /** Where it comes from, or why it is unavailable (and how to get it). */
  note: string;
}

/** What `lepton.backend()` chose: the backend in use, why, and every candidate. Displays as a short table. */
export class BackendReport {
  /**
   * @param name the backend now in use
   * @param reason why it was chosen
   * @param candidates each backend with whether it can run here
   */
  constructor(
    readonly name: BackendName,
    readonly reason: string,
    readonly candidates: BackendAvailability[],
  ) {}

  /** One line: the backend and why. */
  toString(): string {
    return `backend: ${this.name} (${this.reason})`;
  }

  /** The report as text and an HTML table. */
  [displaySymbol](): MimeBundle {
    const rows = this.candidates
      .map(
        (c) =>
          `<tr><td>${c.name === this.name ? '<b>' + c.name + '</b>' : c.name}</td><td>${c.available ? 'yes' : 'no'}</td><td>${escapeHtml(c.note)}</td></tr>`,
      )
      .join('');
    return {
      'text/plain': [
        this.toString(),
        ...this.candidates.map(
          (c) =>
            `  ${c.name === this.name ? '*' : ' '} ${c.name.padEnd(10)} ${c.available ? 'available  ' : 'unavailable'} ${c.note}`,
        ),
      ].join('\n'),
      'text/html': `<p>Backend: <b>${this.name}</b> — ${escapeHtml(this.reason)}</p><table><tr><th>backend</th><th>available</th><th>note</th></tr>${rows}</table>`,
    };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const require = createRequire(import.meta.url);

/**
 * Importing tfjs-backend-wasm registers `wasm` as the preferred backend, but it initializes asynchronously, so every
 * synchronous tf call made before `await tf.ready()` would throw. Lepton re-registers it below `cpu`: plain tf code
 * keeps working, and `lepton.backend()` (which `fit` and `evaluate` call) switches to it.
 */
function demoteWasm(): void {
  const factory = registeredBackendFactory('wasm');
  const initialized = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  if (factory === null || 'wasm' in initialized) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 0);
}

demoteWasm();

/** The native packages that provide the `tensorflow` backend, GPU first. */
const nativePackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

let nativeLoad: { from: string } | { error: string } | undefined;

/** Loads tfjs-node(-gpu) once, if installed; it registers the `tensorflow` backend. */
function loadNative(): { from: string } | { error: string } {
  if (nativeLoad) return nativeLoad;
  const errors: string[] = [];
  for (const name of nativePackages) {
    try {
      require(name);
      return (nativeLoad = { from: name });
    } catch (error) {
      const message = (error as Error).message.split('\n')[0]!;
      errors.push(
        (error as { code?: string }).code === 'MODULE_NOT_FOUND' && message.includes(name)
          ? `${name} is not installed`
          : `${name} failed to load: ${message}`,
      );
    }
  }
  return (nativeLoad = {
    error: `${errors.join('; ')} (npm install @tensorflow/tfjs-node, which needs to download libtensorflow)`,
  });
}

/** Which backends can run here, fastest first. */
export function availableBackends(): BackendAvailability[] {
  const native = loadNative();
  const wasmRegistered = registeredBackendFactory('wasm') !== null;
  return [
    {
      name: 'tensorflow',
      available: 'from' in native,
      note: 'from' in native ? `native TensorFlow from ${native.from}` : native.error,
    },
    {
      name: 'wasm',
      available: wasmRegistered && typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object',
      note: wasmRegistered
        ? "WebAssembly with SIMD and XNNPACK, plus Lepton's training kernels"
        : '@tensorflow/tfjs-backend-wasm is not registered',
    },
    { name: 'cpu', available: true, note: 'plain JavaScript: always there, slowest' },
  ];
}

let chosen: BackendReport | undefined;

/**
 * Picks the fastest backend available — `tensorflow` (tfjs-node, when installed), else `wasm`, else `cpu` — or the
 * one named, and reports the choice. A named backend that cannot run here is an error saying why.
 * @param name the backend to use; omitted, the fastest available
 * @returns a report that displays the chosen backend and every candidate
 * @example await lepton.backend()          // → backend: wasm (fastest available here)
 * @example await lepton.backend('cpu')     // force the reference backend
 */
export async function backend(name?: BackendName): Promise<BackendReport> {
  silenceNodeBanner();
  const candidates = availableBackends();
  if (name !== undefined && !backendNames.includes(name)) {
    throw new BackendError(
      'LEPTON_BACKEND_UNKNOWN',
      // String(): a plain-JavaScript caller may pass a symbol, which a template literal would throw on.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a guard for untyped callers
      `Unknown backend '${String(name)}'. Lepton's backends are: ${backendNames.join(', ')}.`,
    );
  }
  const wanted = name === undefined ? candidates.filter((c) => c.available) : candidates.filter((c) => c.name === name);
  const failures: string[] = [];
  for (const candidate of wanted) {
    if (!candidate.available) {
      failures.push(`${candidate.name}: ${candidate.note}`);
      continue;
    }
    if (candidate.name === 'wasm') installWasmTrainingKernels();
    if (await tf.setBackend(candidate.name)) {
      const reason =
        name === undefined
          ? failures.length === 0 && candidate.name === candidates[0]!.name
            ? 'the fastest backend'
            : `fastest available here; ${candidates
                .filter((c) => !c.available)
                .map((c) => `${c.name}: ${c.note}`)
                .concat(failures)
                .join('; ')}`
          : 'requested';
      chosen = new BackendReport(candidate.name, reason, candidates);
      return chosen;
    }
    failures.push(`${candidate.name}: it failed to initialize`);
  }
  throw new BackendError(
    'LEPTON_BACKEND_UNAVAILABLE',
    `Backend ${name ?? '(any)'} is unavailable here — ${failures.join('; ')}.`,
  );
}

/**
 * The backend Lepton trains on: the one chosen by `lepton.backend()`, else the fastest, chosen now.
 * A backend set directly with `tf.setBackend` (other than tfjs's default cpu) is respected.
 */
export async function ensureBackend(): Promise<BackendName> {
  if (chosen && tf.getBackend() === chosen.name) return chosen.name;
  const current = tf.getBackend();
  if (current !== 'cpu' && backendNames.includes(current as BackendName)) {
    if (current === 'wasm') installWasmTrainingKernels();
    return current as BackendName;
  }
  if (chosen?.name === 'cpu') return (await backend('cpu')).name;
  return (await backend()).name;
}
