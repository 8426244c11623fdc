/**
 * Helpers for the server's tests: a temporary Lepton home, the fixture models, and an application on them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ensureHome, homePaths, loadOrCreateToken } from './home.js';
import { Service } from './service.js';

/** The bytes of a fixture model in `server/fixtures/` (`mlp`, `add`, `gather`). */
export function fixture(name: 'mlp' | 'add' | 'gather'): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/${name}.onnx`, import.meta.url)));
}

/**
 * The bytes of an ONNX model that returns its input: `x` FP32 `[N, width]` → `y` FP32 `[N, width]` (Identity,
 * opset 13), so a test reads back exactly the rows the server fed the model.
 */
export function identityModel(width: number): Buffer {
  return oneNodeModel('Identity', [width], [width]);
}

/**
 * The bytes of an ONNX model that flattens its input: `x` FP32 `[N, ...shape]` → `y` FP32 `[N, product of shape]`
 * (Flatten, opset 13): fed images, it answers their pixels as the model saw them.
 */
export function flattenModel(shape: readonly number[]): Buffer {
  return oneNodeModel('Flatten', shape, [shape.reduce((a, b) => a * b, 1)]);
}

/** An opset-13 ONNX model of one node `op` from `x` `[N, ...input]` to `y` `[N, ...output]`, FP32. */
function oneNodeModel(op: string, input: readonly number[], output: readonly number[]): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    for (; n > 127; n = Math.floor(n / 128)) out.push((n % 128) | 128);
    return [...out, n];
  };
  const int = (field: number, n: number) => [field << 3, ...varint(n)];
  const bytes = (field: number, body: number[] | string) => {
    const b = typeof body === 'string' ? [...Buffer.from(body)] : body;
    return [(field << 3) | 2, ...varint(b.length), ...b];
  };
  const dim = (d: number | string) => bytes(1, typeof d === 'number' ? int(1, d) : bytes(2, d));
  const value = (name: string, dims: readonly number[]) => [...bytes(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, [...dim('N'), ...dims.flatMap((d) => dim(d))])]))];
  const node = [...bytes(1, 'x'), ...bytes(2, 'y'), ...bytes(4, op)];
  const graph = [...bytes(1, node), ...bytes(2, op.toLowerCase()), ...bytes(11, value('x', input)), ...bytes(12, value('y', output))];
  return Buffer.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...bytes(1, ''), ...int(2, 13)])]);
}

/** A new temporary Lepton home. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'lepton-home-'));
}

/** An application on a fresh temporary home, with its service and token; `close` removes everything. */
export interface TestServer {
  app: FastifyInstance;
  service: Service;
  token: string;
  home: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

/** Builds a test application (models run inline unless `workers` says otherwise). */
export async function testServer(options: { home?: string; workers?: number; bodyLimit?: number } = {}): Promise<TestServer> {
  const home = options.home ?? tempHome();
  const paths = homePaths(home);
  ensureHome(paths);
  const token = loadOrCreateToken(paths);
  const service = new Service(paths, { workers: options.workers ?? 0 });
  await service.restore();
  const app = await buildApp({ service, token, bodyLimit: options.bodyLimit, report: () => {} });
  return {
    app, service, token, home, auth: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      await service.close();
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}
