// The serve suite's load generator in a process of its own: node serve-load.js < {"url","body","connections","durationS"}
//
// autocannon timestamps each request and its answer on its own event loop, so anything that stalls that loop shows up
// as server latency. Run inside the bench process it shares a heap with tfjs and the models the suite built (its
// collections there are bigger and slower), so the generator runs here instead, the same for every server measured,
// and reports its own event-loop delay beside the latencies: a tail the generator made itself is visible as such.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** What the suite asks this process to load. */
export interface LoadSpec {
  url: string;
  /** The JSON body of every request. */
  body: string;
  connections: number;
  durationS: number;
}

/** What it answers on its last line of stdout. */
export interface LoadReport {
  reqPerS: number;
  total: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  /** This process's own event-loop delay while it loaded, 99th percentile and largest, in milliseconds. */
  generatorLoopP99Ms: number;
  generatorLoopMaxMs: number;
  /** This process's CPU time per answered request, in microseconds. */
  generatorCpuUsPerReq: number;
}

const spec = JSON.parse(readFileSync(0, 'utf8')) as LoadSpec;
// 1 ms resolution: the delays that matter against a 5 ms p99 are milliseconds, and a finer timer costs the generator.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
const cpuBefore = process.cpuUsage();
loopDelay.enable();
const result = await autocannon({
  url: spec.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: spec.body,
  connections: spec.connections,
  duration: spec.durationS,
});
loopDelay.disable();
const cpu = process.cpuUsage(cpuBefore);
const total = result.requests.total;
const report: LoadReport = {
  reqPerS: result.requests.average,
  total,
  p50Ms: result.latency.p50,
  p90Ms: result.latency.p90,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
  errors: result.errors + result.non2xx + result.timeouts,
  generatorLoopP99Ms: loopDelay.percentile(99) / 1e6,
  generatorLoopMaxMs: loopDelay.max / 1e6,
  generatorCpuUsPerReq: total === 0 ? 0 : (cpu.user + cpu.system) / total,
};
process.stdout.write(JSON.stringify(report) + '\n');
