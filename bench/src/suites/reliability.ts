import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';
import { ensureServer, stopServer, type RunningServer } from '@lepton/server';
// The server's test helpers are not part of its published package: the workspace reaches them by path.
import { identityModel, slowModel } from '../../../server/dist/testing.js';
import type { BenchCase, Suite } from '../report.js';

/** The figures docs/reliability.md quotes: requests lost per swap, memory under overload, time to shed load. */
const SWAPS = 20;
const SWAP_CONNECTIONS = 50;
const FLOOD = 1000;
const SLOWLORIS = 1000;

const require = createRequire(import.meta.url);
const serverDir = dirname(dirname(require.resolve('@lepton/server')));
const mlp = () => readFileSync(join(serverDir, 'fixtures', 'mlp.onnx'));

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
}

const json = (rows: number, width: number) =>
  JSON.stringify({
    inputs: [
      {
        name: 'x',
        shape: [rows, width],
        datatype: 'FP32',
        data: Array.from({ length: rows * width }, (_, i) => (i % 100) / 100),
      },
    ],
  });

/** POSTs `body` on a connection of its own; resolves with the answer's JSON. */
function postAlone(url: string, body: string): Promise<{ code?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as { code?: string });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Worst `GET /v2/health/live` latency, pinged every 20 ms while `work` runs. */
async function worstHealth(url: string, work: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let stop = false;
  const ping = (async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the finally below sets `stop` while this loop awaits; TypeScript does not see writes from another path
    while (!stop) {
      const t = performance.now();
      await fetch(`${url}/v2/health/live`).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
      worst = Math.max(worst, performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await work();
  } finally {
    stop = true;
    await ping;
  }
  return worst;
}

/** 20 redeploys and rollbacks of an MLP under 50 connections of batch-1 requests: the requests that failed. */
async function swaps(server: RunningServer): Promise<{ failed: number; total: number }> {
  await server.client.deploy('swap', mlp());
  const body = json(1, 784);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.info.url}/v2/models/swap/infer`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: SWAP_CONNECTIONS,
        duration: 300,
      },
      (error: Error | null, result) => {
        if (error) reject(error);
        else resolve({ failed: result.errors + result.timeouts + result.non2xx, total: result.requests.total });
      },
    );
    void (async () => {
      try {
        await new Promise((r) => setTimeout(r, 500));
        for (let i = 0; i < SWAPS; i++) {
          if (i % 2 === 0) await server.client.redeploy('swap', mlp());
          else await server.client.rollback('swap');
        }
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        instance.stop();
      }
    })();
  });
}

/**
 * 1,000 requests at once on a slow model (default limits: 256 queued, 10 s deadline): how fast the refused ones
 * hear their 503, how many met their deadline, peak memory, and how long until every request was answered and the
 * server reported ready again.
 */
async function flood(server: RunningServer): Promise<{
  shed: number;
  expired: number;
  dropped: number;
  shedP99Ms: number;
  peakRssMb: number;
  readyAfterMs: number;
}> {
  await server.client.deploy('slow', slowModel(1024, 96));
  const body = json(1, 1024);
  let peak = rssMb(server.info.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.info.pid))), 20);
  const shedMs: number[] = [];
  let expired = 0;
  let dropped = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: FLOOD }, async () => {
      const t = performance.now();
      // One connection per request (no client pool), so the time measured is the server's, not a wait for a socket.
      const answer = await postAlone(`${server.info.url}/v2/models/slow/infer`, body).catch(() => undefined);
      if (!answer) {
        dropped++; // a connection closed without an answer: a failure the figures must show
        return;
      }
      if (answer.code === 'LEPTON_OVERLOADED') shedMs.push(performance.now() - t);
      else if (answer.code === 'LEPTON_DEADLINE_EXCEEDED') expired++;
    }),
  );
  clearInterval(sampler);
  let readyAfterMs = performance.now() - started;
  while ((await fetch(`${server.info.url}/v2/health/ready`)).status !== 200) readyAfterMs = performance.now() - started;
  return { shed: shedMs.length, expired, dropped, shedP99Ms: quantile(shedMs, 0.99), peakRssMb: peak, readyAfterMs };
}

/** The largest accepted request (1,048,576 elements) and a refused 16 MiB one: worst health latency, memory after. */
async function large(
  server: RunningServer,
): Promise<{ acceptedHealthMs: number; refusedHealthMs: number; rssAfterMb: number }> {
  await server.client.deploy('wide', identityModel(1));
  const post = (body: string) =>
    fetch(`${server.info.url}/v2/models/wide/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }).then((r) => r.arrayBuffer());
  const accepted = json(1 << 20, 1);
  const acceptedHealthMs = await worstHealth(server.info.url, () => post(accepted));
  const refused = JSON.stringify({
    inputs: [{ name: 'x', shape: [2_000_000, 1], datatype: 'FP32', data: Array(2_000_000).fill(0.123) }],
  });
  const refusedHealthMs = await worstHealth(server.info.url, () => post(refused));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return { acceptedHealthMs, refusedHealthMs, rssAfterMb: rssMb(server.info.pid) };
}

/** 1,000 connections sending headers slowly: a real client's latency meanwhile, and when the server has closed them all. */
async function slowloris(server: RunningServer): Promise<{ clientMs: number; closedAfterS: number }> {
  const { port } = server.info;
  const sockets: Socket[] = [];
  let closed = 0;
  const started = performance.now();
  for (let i = 0; i < SLOWLORIS; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('close', () => closed++);
    socket.write(`POST /v2/models/swap/infer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    sockets.push(socket);
  }
  const drip = setInterval(() => {
    sockets.forEach((s) => !s.destroyed && s.write('X-Slow: 1\r\n'));
  }, 1000);
  try {
    const t = performance.now();
    await fetch(`${server.info.url}/v2/models/swap/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json(1, 784),
    }).then((r) => r.arrayBuffer());
    const clientMs = performance.now() - t;
    while (closed < SLOWLORIS && performance.now() - started < 60_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    return { clientMs, closedAfterS: closed < SLOWLORIS ? NaN : (performance.now() - started) / 1000 };
  } finally {
    clearInterval(drip);
    sockets.forEach((s) => s.destroy());
  }
}

/** The model server under faults and overload (issue 26): what docs/reliability.md reports. */
export const reliabilitySuite: Suite = {
  name: 'reliability',
  description: `${SWAPS} swaps under ${SWAP_CONNECTIONS} connections, a ${FLOOD}-request flood on a slow model, the largest request, ${SLOWLORIS} slowloris connections`,
  async run(log) {
    const home = mkdtempSync(join(tmpdir(), 'lepton-bench-reliability-'));
    const cases: BenchCase[] = [];
    const row = (c: string, metric: string, unit: string, better: 'lower' | 'higher', value: number): BenchCase => ({
      suite: 'reliability',
      case: c,
      metric,
      unit,
      better,
      lepton: value,
      peers: {},
    });
    try {
      const server = await ensureServer({ home, port: 0 });
      const idleRss = rssMb(server.info.pid);
      const s = await swaps(server);
      log(
        `swaps: ${s.failed} failed of ${s.total} requests over ${SWAPS} swaps (${(s.failed / SWAPS).toFixed(2)} per swap)`,
      );
      cases.push(row('swap_under_load', 'failed_per_swap', 'requests', 'lower', s.failed / SWAPS));
      const f = await flood(server);
      log(
        `flood: ${f.shed} of ${FLOOD} shed at once (503 p99 ${f.shedP99Ms.toFixed(0)} ms), ${f.expired} dropped at their deadline, ${f.dropped} connections closed unanswered, peak RSS ${f.peakRssMb.toFixed(0)} MB (idle ${idleRss.toFixed(0)} MB), all answered and ready again after ${f.readyAfterMs.toFixed(0)} ms`,
      );
      cases.push(
        row('flood_1000', 'unanswered', 'requests', 'lower', f.dropped),
        row('flood_1000', 'shed_p99_ms', 'ms', 'lower', f.shedP99Ms),
        row('flood_1000', 'peak_rss_mb', 'MB', 'lower', f.peakRssMb),
        row('flood_1000', 'ready_after_ms', 'ms', 'lower', f.readyAfterMs),
      );
      const l = await large(server);
      log(
        `largest request: health stalls ${l.acceptedHealthMs.toFixed(0)} ms (1 M elements, answered), ${l.refusedHealthMs.toFixed(0)} ms (16 MiB, refused); RSS after ${l.rssAfterMb.toFixed(0)} MB`,
      );
      cases.push(
        row('largest_request', 'worst_health_ms', 'ms', 'lower', l.acceptedHealthMs),
        row('refused_16mib', 'worst_health_ms', 'ms', 'lower', l.refusedHealthMs),
        row('largest_request', 'rss_after_mb', 'MB', 'lower', l.rssAfterMb),
      );
      const w = await slowloris(server);
      log(
        `slowloris: a real client answered in ${w.clientMs.toFixed(0)} ms with ${SLOWLORIS} slow connections open; all closed after ${w.closedAfterS.toFixed(1)} s`,
      );
      cases.push(
        row('slowloris_1000', 'client_ms', 'ms', 'lower', w.clientMs),
        row('slowloris_1000', 'closed_after_s', 's', 'lower', w.closedAfterS),
      );
    } finally {
      await stopServer({ home });
      rmSync(home, { recursive: true, force: true });
    }
    return cases;
  },
};
