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
