/**
 * The server process: `node main.js [--home DIR] [--port N] [--host ADDR] [--workers N] [--body-limit BYTES]
 * [--max-elements N] [--request-timeout MS] [--allow-host NAME]... [--inference-token TOKEN]` (the token may also
 * come from `LEPTON_INFERENCE_TOKEN`).
 * Restores the registry, listens, records pid and port in `server.json`, and shuts down cleanly on SIGTERM,
 * SIGINT or `POST /lepton/v1/shutdown`. Started detached by `ensureServer` (and so by `lepton serve`).
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildApp, DEFAULT_BODY_LIMIT } from './app.js';
import { hostCheck, isLoopback } from './guard.js';
import { writeFileAtomic } from './atomic.js';
import { ensureHome, homePaths, leptonHome, loadOrCreateToken } from './home.js';
import { DEFAULT_PORT, findServer, type ServerInfo } from './process.js';
import { defaultWorkers } from './runner.js';
import { Service } from './service.js';

const VERSION = '0.1.0';

/** Runs the server until it is told to stop. */
export async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      home: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      'body-limit': { type: 'string' },
      'max-elements': { type: 'string' },
      'request-timeout': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'inference-token': { type: 'string' },
    },
  });
  // The output goes to logs/server.log: a full disk must not kill the server through an unhandled stream error.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const positive = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, not "${value}".`);
    return n;
  };
  const maxElements = positive('max-elements', values['max-elements']);
  const requestTimeoutMs = positive('request-timeout', values['request-timeout']);
  const inferenceToken = values['inference-token'] ?? (process.env.LEPTON_INFERENCE_TOKEN || undefined);
  const home = leptonHome(values.home);
  const paths = homePaths(home);
  ensureHome(paths);
  const other = await findServer({ home });
  if (other && other.pid !== process.pid) {
    console.error(`A Lepton server for ${home} already runs at ${other.url} (pid ${other.pid}).`);
    process.exit(1);
  }
  const token = loadOrCreateToken(paths);
  const service = new Service(paths, {
    workers: values.workers === undefined ? defaultWorkers() : Number(values.workers),
    ...(maxElements ? { maxElements } : {}),
  });
  await service.restore();

  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${new Date().toISOString()} lepton-server: stopping (${why}).`);
    await app.close();
    await service.close();
    const info = (await import('./process.js')).readServerFile(home);
    if (info?.pid === process.pid) rmSync(paths.serverFile, { force: true });
    process.exit(0);
  };
  const host = values.host ?? '127.0.0.1';
  if (!isLoopback(host) && !inferenceToken) {
    console.error(
      `${new Date().toISOString()} lepton-server: warning: listening on ${host} without an inference token: anyone who reaches this port can run ` +
        'the models (the management API still needs its token). Start it with --inference-token TOKEN (or LEPTON_INFERENCE_TOKEN) to require one.',
    );
  }
  const app = await buildApp({
    service,
    token,
    version: VERSION,
    checkHost: hostCheck(host, values['allow-host'] ?? []),
    ...(inferenceToken ? { inferenceToken } : {}),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    bodyLimit: values['body-limit'] ? Number(values['body-limit']) : DEFAULT_BODY_LIMIT,
    onShutdown: () => void shutdown('shutdown request'),
  });
  // A deep accept backlog: a burst of connections waits in the kernel's queue instead of retrying SYNs for seconds.
  await app.listen({ backlog: 4096, port: values.port === undefined ? DEFAULT_PORT : Number(values.port), host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : DEFAULT_PORT;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const info: ServerInfo = {
    pid: process.pid,
    host,
    port,
    url: `http://${urlHost}:${port}`,
    startedAt: new Date().toISOString(),
    version: VERSION,
  };
  writeFileAtomic(paths.serverFile, JSON.stringify(info, null, 2) + '\n');
  const names = service.all().map((d) => `${d.name}@${d.version} (${d.status})`);
  console.log(
    `${info.startedAt} lepton-server: listening on ${info.url} (pid ${process.pid}); deployments: ${names.join(', ') || 'none'}.`,
  );
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

serve(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`lepton-server: ${(error as Error).message}`);
  process.exit(1);
});
