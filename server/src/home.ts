/**
 * The Lepton home (`~/.lepton`, or `LEPTON_HOME`): where the server keeps its registry, its token, its pid/port
 * file and its logs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic.js';

/** The paths the server uses under one Lepton home. */
export interface HomePaths {
  /** The home itself. */
  root: string;
  /** The registry: `models/<name>/<version>/`. */
  models: string;
  /** Logs: `logs/server.log` (the detached process's output) and `logs/<deployment>.log`. */
  logs: string;
  /** The running server's pid, port and host (`server.json`). */
  serverFile: string;
  /** The management API's bearer token (mode 0600). */
  tokenFile: string;
}

/** The Lepton home: `explicit`, else `LEPTON_HOME`, else `~/.lepton`. */
export function leptonHome(explicit?: string): string {
  return resolve(explicit ?? process.env.LEPTON_HOME ?? join(homedir(), '.lepton'));
}

/** The paths under `home` (nothing is created). */
export function homePaths(home: string): HomePaths {
  const root = resolve(home);
  return {
    root,
    models: join(root, 'models'),
    logs: join(root, 'logs'),
    serverFile: join(root, 'server.json'),
    tokenFile: join(root, 'server-token'),
  };
}

/** Creates the home's folders (owner-only) if missing. */
export function ensureHome(paths: HomePaths): void {
  for (const dir of [paths.root, paths.models, paths.logs]) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The management token: read from the home, or generated (32 random bytes, hex) and stored with mode 0600. */
export function loadOrCreateToken(paths: HomePaths): string {
  const existing = readToken(paths);
  if (existing) return existing;
  const token = randomBytes(32).toString('hex');
  writeFileAtomic(paths.tokenFile, token + '\n', 0o600);
  return token;
}

/** The stored management token, or undefined when none was generated yet. */
export function readToken(paths: HomePaths): string | undefined {
  try {
    const token = readFileSync(paths.tokenFile, 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}
