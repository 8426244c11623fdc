/**
 * The server as a detached process: find the one running for a Lepton home (its `server.json` holds pid and port),
 * start one that outlives its parent (the kernel, JupyterLab, the CLI), and stop it.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ServerClient } from './client.js';
import { ensureHome, homePaths, leptonHome, loadOrCreateToken, readToken } from './home.js';

/** `server.json`: the running server. */
export interface ServerInfo {
  /** The server's process id. */
  pid: number;
  /** The address it listens on, e.g. `127.0.0.1`. */
  host: string;
  /** The port it listens on. */
  port: number;
  /** Base URL, e.g. `http://127.0.0.1:8707`. */
  url: string;
  /** ISO 8601 start time. */
  startedAt: string;
  /** The server's version. */
  version: string;
}

/** The default port. */
export const DEFAULT_PORT = 8707;

/**
 * The port a new server asks for when the caller names none: `LEPTON_PORT` (0 picks a free one; tests set it so
 * they never depend on a fixed port), else {@link DEFAULT_PORT}. Throws on a `LEPTON_PORT` that is not a port number.
 */
export function defaultPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LEPTON_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new Error(`LEPTON_PORT must be a port number from 0 to 65535 (0 picks a free one), got "${raw}".`);
  return port;
}

/** Options of `ensureServer`. */
export interface EnsureOptions {
  /** The Lepton home (default: `LEPTON_HOME`, else `~/.lepton`). */
  home?: string | undefined;
  /**
   * Port for a new server (0 picks a free one). Default: `LEPTON_PORT`, else 8707 — and when 8707 is held by the
   * Lepton server of another home, a free port instead (said in {@link RunningServer.note}).
   */
  port?: number | undefined;
  /** Address for a new server (default 127.0.0.1). */
  host?: string | undefined;
  /** Worker threads per deployment for a new server (default: one per spare core, at most 4). */
  workers?: number;
  /** Largest infer body for a new server, in bytes (default 16 MiB). */
  bodyLimit?: number;
  /** How long to wait for a new server to be ready (default 30 s). */
  timeoutMs?: number;
  /** More flags for a new server, e.g. `['--max-elements', '100000', '--allow-host', 'models.lan']` (see `main.ts`). */
  args?: string[];
}

/** A running server: where it is, a client for it, and whether this call started it. */
export interface RunningServer {
  /** Where it is (its `server.json`). */
  info: ServerInfo;
  /** A client for it, with the management token. */
  client: ServerClient;
  /** Whether this call started it (false: it was already running). */
  started: boolean;
  /** Set when the new server did not get the port it would have asked for, saying why and where it went. */
  note?: string;
}

/** The recorded server of `home`, if its file exists (it may be stale). */
export function readServerFile(home: string): ServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(homePaths(home).serverFile, 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
}

/** Whether a process with `pid` exists (a zombie, exited but not yet reaped by its parent, does not count). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // Linux: the state letter follows the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The server running for `home` and answering, or undefined (a stale `server.json` is removed). */
export async function findServer(options: { home?: string } = {}): Promise<ServerInfo | undefined> {
  const home = leptonHome(options.home);
  const info = readServerFile(home);
  if (!info) return undefined;
  if (isAlive(info.pid)) {
    try {
      const response = await fetch(`${info.url}/v2/health/live`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return info;
    } catch {
      // Not answering: starting, stuck, or another process reusing the pid.
    }
    return undefined;
  }
  rmSync(homePaths(home).serverFile, { force: true });
  return undefined;
}

/**
 * The server of the Lepton home: the running one, or a new detached one (output to `logs/server.log`) once it
 * answers `GET /v2/health/ready`. Concurrent callers start one server between them.
 */
export async function ensureServer(options: EnsureOptions = {}): Promise<RunningServer> {
  const home = leptonHome(options.home);
  const paths = homePaths(home);
  ensureHome(paths);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const found = await findServer({ home });
  if (found) return running(home, found, false);

  const lockFile = `${paths.root}/server.lock`;
  let locked = false;
  while (!locked) {
    try {
      closeSync(openSync(lockFile, 'wx', 0o600));
      locked = true;
    } catch {
      // Another caller is starting it; take over a lock older than the wait.
      const other = await findServer({ home });
      if (other) return running(home, other, false);
      if (Date.now() - lockAge(lockFile) > (options.timeoutMs ?? 30_000)) rmSync(lockFile, { force: true });
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for another process to start the Lepton server in ${home}.`);
      await sleep(100);
    }
  }
  try {
    const again = await findServer({ home });
    if (again) return running(home, again, false);
    loadOrCreateToken(paths);
    const host = options.host ?? '127.0.0.1';
    let port = options.port ?? defaultPort();
    let note: string | undefined;
    if (options.port === undefined && port === DEFAULT_PORT && (await isLeptonServer(host, port))) {
      // Another home's server (the tutorials' one outlives its kernel): this home gets a port of its own rather
      // than an error. A port held by any other program still fails below with EADDRINUSE.
      port = 0;
      note = `Port ${DEFAULT_PORT} is held by the Lepton server of another Lepton home, so the server for ${home} started on a free port`;
    }
    const log = openSync(`${paths.logs}/server.log`, 'a', 0o600);
    const args = [serverMain(), '--home', home, '--port', String(port), '--host', host];
    if (options.workers !== undefined) args.push('--workers', String(options.workers));
    if (options.bodyLimit !== undefined) args.push('--body-limit', String(options.bodyLimit));
    if (options.args) args.push(...options.args);
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, LEPTON_HOME: home },
    });
    closeSync(log);
    let exited: number | null | undefined;
    child.once('exit', (code) => (exited = code));
    child.unref();
    while (Date.now() < deadline) {
      if (exited !== undefined)
        throw new Error(
          `The Lepton server exited (code ${exited}) while starting:\n${tail(`${paths.logs}/server.log`)}`,
        );
      const info = readServerFile(home);
      if (info && info.pid === child.pid) {
        const client = new ServerClient(info.url, readToken(paths) ?? '');
        if (await client.ready())
          return { info, client, started: true, ...(note === undefined ? {} : { note: `${note} (${info.port}).` }) };
      }
      await sleep(50);
    }
    if (child.pid) process.kill(child.pid, 'SIGKILL');
    throw new Error(
      `The Lepton server did not become ready within ${options.timeoutMs ?? 30_000} ms:\n${tail(`${paths.logs}/server.log`)}`,
    );
  } finally {
    rmSync(lockFile, { force: true });
  }
}

/** Stops the server of the Lepton home (shutdown request, then SIGTERM, then SIGKILL). Resolves false if none ran. */
export async function stopServer(options: { home?: string; timeoutMs?: number } = {}): Promise<boolean> {
  const home = leptonHome(options.home);
  const paths = homePaths(home);
  const info = readServerFile(home);
  if (!info || !isAlive(info.pid)) {
    rmSync(paths.serverFile, { force: true });
    return false;
  }
  const timeout = options.timeoutMs ?? 10_000;
  try {
    await new ServerClient(info.url, readToken(paths) ?? '').shutdown();
  } catch {
    process.kill(info.pid, 'SIGTERM');
  }
  if (!(await waitExit(info.pid, timeout))) {
    process.kill(info.pid, 'SIGKILL');
    await waitExit(info.pid, 2000);
  }
  const now = readServerFile(home);
  if (now?.pid === info.pid) rmSync(paths.serverFile, { force: true });
  return true;
}

/** Whether a Lepton server answers on `host:port` (its `GET /v2` names the server `lepton`). */
export async function isLeptonServer(host: string, port: number): Promise<boolean> {
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${address}:${port}/v2`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { name?: unknown };
    return response.ok && body.name === 'lepton';
  } catch {
    return false;
  }
}

/** The path of the server's entry script. */
export function serverMain(): string {
  return fileURLToPath(new URL('./main.js', import.meta.url));
}

function running(home: string, info: ServerInfo, started: boolean): RunningServer {
  return { info, client: new ServerClient(info.url, readToken(homePaths(home)) ?? ''), started };
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

function lockAge(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no server log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
