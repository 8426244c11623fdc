import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { referenceCnn, referenceMlp } from '../reference-models.js';
import { ensureServer, stopServer, type ServerClient } from '@lepton/server';
import { anchorsDir, sharedDir } from '../paths.js';
import type { BenchCase, Suite } from '../report.js';
import type { LoadReport, LoadSpec } from './serve-load.js';

/**
 * How long and how hard each server is loaded: bounded, loopback only. Each server gets `warmUpS` of the same load
 * first, untimed: a server just started spends its first thousand requests compiling its request path (JIT), which
 * is start-up, not serving.
 */
const LOAD = { connections: 16, durationS: 5, warmUpS: 2 };

export interface LoadResult {
  reqPerS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** The server process's CPU time per answered request, in microseconds (null when its pid or /proc is unknown). */
  cpuUsPerReq: number | null;
  /** The load generator's own event-loop delay, 99th percentile in ms: above a few ms, it made part of the tail. */
  generatorLoopP99Ms: number;
}

/** Linux's clock ticks per second in /proc's CPU times (USER_HZ, 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

/**
 * CPU seconds process `pid` has used (user + system, every thread), from /proc; undefined without one. Under a
 * loaded machine wall-clock rates swing with the neighbours, the CPU a request costs the server far less.
 */
function processCpuS(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command's ") ": state is the first, utime the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Loads one OIP v2 infer URL with batch-1 requests (the text suite loads its servers the same way) from a process of
 * its own (`serve-load.ts`: the generator's pauses stay out of this process's heap and collections, the same for
 * every server); with the server's `pid`, also what each request cost it in CPU; after `warmUpS` seconds of the same
 * load, untimed.
 */
export async function load(url: string, body: string, pid?: number, warmUpS = 0): Promise<LoadResult> {
  if (warmUpS > 0) await runGenerator({ url, body, connections: LOAD.connections, durationS: warmUpS });
  const cpuBefore = processCpuS(pid);
  const report = await runGenerator({ url, body, connections: LOAD.connections, durationS: LOAD.durationS });
  const cpuAfter = processCpuS(pid);
  const answered = report.total;
  return {
    reqPerS: report.reqPerS,
    p50Ms: report.p50Ms,
    p99Ms: report.p99Ms,
    errors: report.errors,
    cpuUsPerReq:
      cpuBefore === undefined || cpuAfter === undefined || answered === 0
        ? null
        : ((cpuAfter - cpuBefore) * 1e6) / answered,
    generatorLoopP99Ms: report.generatorLoopP99Ms,
  };
}

/** Runs `serve-load.js` on `spec` and reads its report (its last line of output). */
function runGenerator(spec: LoadSpec): Promise<LoadReport> {
  const script = fileURLToPath(new URL('./serve-load.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    // A generator that hangs or dies is a failed case, never an uncaught error that would lose the rows measured.
    const fail = (error: Error) => {
      child.kill();
      reject(error);
    };
    const timer = setTimeout(
      () => {
        fail(new Error(`the load generator did not finish within ${String(spec.durationS + 30)} s`));
      },
      (spec.durationS + 30) * 1000,
    );
    child.once('error', fail);
    child.stdin.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop();
      if (code !== 0 || !last) {
        reject(new Error(`the load generator exited with code ${String(code)}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as LoadReport);
      } catch {
        reject(new Error(`the load generator's last line is not its JSON report: ${last.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready`);
}

/** A load's server CPU per request, for the log. */
function cpuText(result: LoadResult): string {
  const server =
    result.cpuUsPerReq === null ? 'server CPU unknown' : `server CPU ${result.cpuUsPerReq.toFixed(0)} µs/req`;
  return `${server}, generator loop delay p99 ${result.generatorLoopP99Ms.toFixed(1)} ms`;
}

/** The machine's 1-, 5- and 15-minute load averages, for the log beside each figure. */
function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Median of `runs` timings of `call`, in milliseconds. */
async function medianMs(call: () => Promise<unknown>, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

/**
 * One client's infer call, one request at a time, with JSON bodies against binary tensor data (the inputs sent as
 * binary, the outputs asked for as binary): the measurement behind `Deployment.predict`'s `BINARY_MIN_ELEMENTS`.
 */
async function bodyFormatCases(
  client: ServerClient,
  model: string,
  input: string,
  width: number,
  log: (line: string) => void,
): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  for (const rows of [1, 8, 64, 256]) {
    const x = Float32Array.from({ length: rows * width }, (_, i) => (i % 255) / 255);
    const json = () =>
      client.infer(model, { inputs: [{ name: input, shape: [rows, width], datatype: 'FP32', data: Array.from(x) }] });
    const binary = () =>
      client.infer(model, {
        parameters: { binary_data_output: true },
        inputs: [
          {
            name: input,
            shape: [rows, width],
            datatype: 'FP32',
            parameters: { binary_data_size: x.byteLength },
            binary: new Uint8Array(x.buffer),
          },
        ],
      });
    await json();
    await binary();
    const runs = rows >= 64 ? 15 : 40;
    // Alternated, so both see the same machine.
    const a = await medianMs(json, runs);
    const b = await medianMs(binary, runs);
    const a2 = await medianMs(json, runs);
    const b2 = await medianMs(binary, runs);
    const jsonMs = Math.min(a, a2);
    const binaryMs = Math.min(b, b2);
    log(
      `${model} batch ${rows} (${rows * width} elements), one client: JSON ${jsonMs.toFixed(2)} ms, binary ${binaryMs.toFixed(2)} ms per call`,
    );
    cases.push({
      suite: 'serve',
      case: `${model}_batch${rows}_binary_vs_json`,
      metric: 'ms_per_call',
      unit: 'ms',
      better: 'lower',
      lepton: binaryMs,
      peers: { json: jsonMs },
    });
  }
  return cases;
}

/** The two models of the issue: the reference small CNN and a 784-128-64-10 MLP, exported by Lepton. */
function models(): { name: 'mlp' | 'cnn'; model: tf.LayersModel; shape: number[] }[] {
  const mlp = referenceMlp();
  const cnn = referenceCnn();
  return [
    { name: 'mlp', model: mlp, shape: [1, 784] },
    { name: 'cnn', model: cnn, shape: [1, 28, 28, 1] },
  ];
}

/**
 * The same ONNX model deployed to a local Ray cluster (`lepton.deploy` with `target: { ray }`), loaded with 1 then 2
 * replicas; the cluster is stopped before returning. Missing Ray is reported, not fatal.
 */
async function rayPeer(
  home: string,
  onnx: Uint8Array,
  body: string,
  log: (line: string) => void,
): Promise<Record<'ray_1' | 'ray_2', LoadResult | null>> {
  const out: Record<'ray_1' | 'ray_2', LoadResult | null> = { ray_1: null, ray_2: null };
  if (!lepton.hasRayEnvironment()) {
    log('ray: missing (node kernel/bin/lepton.js setup --ray)');
    return out;
  }
  try {
    await lepton.startRayCluster({ home, numCpus: 2 });
    const deployment = await lepton.deploy(onnx, { name: 'mlp', home, target: { ray: { replicas: 1 } } });
    for (const replicas of [1, 2] as const) {
      if (replicas === 2) await deployment.scale(2);
      const result = await load(`${deployment.url}/infer`, body, undefined, LOAD.warmUpS);
      out[`ray_${replicas}`] = result;
      log(
        `ray (${replicas} replica${replicas > 1 ? 's' : ''}) mlp: ${result.reqPerS.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors`,
      );
    }
  } catch (error) {
    log(`ray: not measured (${(error as Error).message})`);
  } finally {
    await lepton.stopRayCluster({ home }).catch(() => false);
  }
  return out;
}

/** Lepton's model server against FastAPI + onnxruntime on the same ONNX models, same load, same bodies. */
export const serveSuite: Suite = {
  name: 'serve',
  description: `batch-1 OIP v2 infer requests, ${LOAD.connections} connections for ${LOAD.durationS} s per server after ${LOAD.warmUpS} s of warm-up`,
  async run(log) {
    const work = mkdtempSync(join(tmpdir(), 'lepton-bench-serve-'));
    const home = join(work, 'home');
    const python = join(anchorsDir, 'venv', 'bin', 'python');
    const peerPath = join(sharedDir, 'anchors', 'serve_peer.py');
    const cases: BenchCase[] = [];
    try {
      const server = await ensureServer({ home, port: 0 });
      for (const { name, model, shape } of models()) {
        const path = join(work, `${name}.onnx`);
        const exported = await lepton.export.onnx(model, path);
        const input = exported.inputs[0]!;
        const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 255) / 255);
        const body = JSON.stringify({ inputs: [{ name: input.name, shape, datatype: 'FP32', data }] });
        await server.client.deploy(name, exported.data);
        const ours = await load(`${server.info.url}/v2/models/${name}/infer`, body, server.info.pid, LOAD.warmUpS);
        log(
          `lepton ${name}: ${ours.reqPerS.toFixed(0)} req/s, p50 ${ours.p50Ms} ms, p99 ${ours.p99Ms} ms, ${ours.errors} errors, ${cpuText(ours)}, load ${loadText()}`,
        );
        let peer: LoadResult | null = null;
        if (existsSync(python) && existsSync(peerPath)) {
          const port = 18000 + Math.floor(Math.random() * 1000);
          const child: ChildProcess = spawn(python, [peerPath, path, String(port)], { stdio: 'ignore' });
          try {
            await waitReady(`http://127.0.0.1:${port}/v2/health/ready`);
            peer = await load(`http://127.0.0.1:${port}/v2/models/model/infer`, body, child.pid, LOAD.warmUpS);
            log(
              `fastapi ${name}: ${peer.reqPerS.toFixed(0)} req/s, p50 ${peer.p50Ms} ms, p99 ${peer.p99Ms} ms, ${peer.errors} errors, ${cpuText(peer)}, load ${loadText()}`,
            );
          } catch (error) {
            log(`fastapi ${name}: not measured (${(error as Error).message})`);
          } finally {
            child.kill('SIGTERM');
          }
        } else {
          log('fastapi: missing (run ../shared/anchors/setup.sh)');
        }
        // Ray Serve (the MLP only: a cluster start costs ~20 s) with one replica and with two.
        const ray: Record<string, LoadResult | null> =
          name === 'mlp' ? await rayPeer(home, exported.data, body, log) : {};
        const row = (
          metric: string,
          unit: string,
          better: 'lower' | 'higher',
          pick: (r: LoadResult) => number | null,
        ): BenchCase => ({
          suite: 'serve',
          case: `${name}_batch1`,
          metric,
          unit,
          better,
          lepton: pick(ours),
          peers: {
            fastapi: peer ? pick(peer) : null,
            ...Object.fromEntries(Object.entries(ray).map(([k, r]) => [k, r ? pick(r) : null])),
          },
        });
        cases.push(
          row('req_per_s', 'req/s', 'higher', (r) => r.reqPerS),
          row('p50_ms', 'ms', 'lower', (r) => r.p50Ms),
          row('p99_ms', 'ms', 'lower', (r) => r.p99Ms),
          row('server_cpu_us_per_req', 'us', 'lower', (r) => r.cpuUsPerReq),
          // Beside the p99: a generator that stalled itself shows here, not as the server's tail.
          row('generator_loop_p99_ms', 'ms', 'lower', (r) => r.generatorLoopP99Ms),
        );
        if (name === 'mlp') cases.push(...(await bodyFormatCases(server.client, name, input.name, 784, log)));
        model.dispose();
      }
    } finally {
      await stopServer({ home });
      rmSync(work, { recursive: true, force: true });
    }
    return cases;
  },
};
