/**
 * `GET /metrics`: every deployment's counters and latency histogram in the Prometheus text format (0.0.4).
 */
import type { Deployment } from './deployment.js';
import { PROM_BUCKETS } from './monitor.js';

/** The Prometheus content type. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The exposition text for `deployments`. */
export function prometheusText(deployments: readonly Deployment[]): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string, samples: (d: Deployment, label: string) => string[]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const d of deployments) lines.push(...samples(d, `model="${escapeLabel(d.name)}"`));
  };
  family('lepton_requests_total', 'counter', 'Infer requests answered, by model.', (d, l) => [
    `lepton_requests_total{${l}} ${d.monitor.requests}`,
  ]);
  family(
    'lepton_request_errors_total',
    'counter',
    'Infer requests answered with an error: kind="server" (5xx) or "client" (4xx).',
    (d, l) => [
      `lepton_request_errors_total{${l},kind="server"} ${d.monitor.errors}`,
      `lepton_request_errors_total{${l},kind="client"} ${d.monitor.rejected}`,
    ],
  );
  family('lepton_rows_total', 'counter', 'Rows (first-dimension entries) inferred.', (d, l) => [
    `lepton_rows_total{${l}} ${d.monitor.rows}`,
  ]);
  family('lepton_model_runs_total', 'counter', 'Model runs (a run may hold several batched requests).', (d, l) => [
    `lepton_model_runs_total{${l}} ${d.monitor.runs}`,
  ]);
  family(
    'lepton_requests_shed_total',
    'counter',
    'Infer requests refused because the queue was full (503 with Retry-After).',
    (d, l) => [`lepton_requests_shed_total{${l}} ${d.monitor.shed}`],
  );
  family(
    'lepton_requests_expired_total',
    'counter',
    'Infer requests dropped unrun at their deadline (503).',
    (d, l) => [`lepton_requests_expired_total{${l}} ${d.monitor.expired}`],
  );
  family(
    'lepton_requests_aborted_total',
    'counter',
    'Infer requests whose client closed the connection before the answer.',
    (d, l) => [`lepton_requests_aborted_total{${l}} ${d.monitor.aborted}`],
  );
  family(
    'lepton_non_finite_answers_total',
    'counter',
    'Answers holding NaN or Infinity (sent as null, flagged parameters.non_finite).',
    (d, l) => [`lepton_non_finite_answers_total{${l}} ${d.monitor.nonFinite}`],
  );
  family('lepton_queue_depth', 'gauge', 'Requests waiting for a model run.', (d, l) => [
    `lepton_queue_depth{${l}} ${d.loaded?.batcher.queued ?? 0}`,
  ]);
  family(
    'lepton_log_write_failures_total',
    'counter',
    'Log entries that could not be written to the log file (a full disk).',
    (d, l) => [`lepton_log_write_failures_total{${l}} ${d.log.health().writeFailures}`],
  );
  family(
    'lepton_deployment_ready',
    'gauge',
    'Whether the deployment serves (1) or not (0), with the version served.',
    (d, l) => [`lepton_deployment_ready{${l},version="${d.version}"} ${d.status === 'ready' ? 1 : 0}`],
  );
  family('lepton_alerts_firing', 'gauge', 'Alert rules firing.', (d, l) => [
    `lepton_alerts_firing{${l}} ${d.monitor.snapshot().alerts.length}`,
  ]);
  family('lepton_request_duration_seconds', 'histogram', 'Infer request latency, from arrival to answer.', (d, l) => {
    const m = d.monitor;
    const out: string[] = [];
    let cumulative = 0;
    PROM_BUCKETS.forEach((le, i) => {
      cumulative += m.promBuckets[i]!;
      out.push(`lepton_request_duration_seconds_bucket{${l},le="${le}"} ${cumulative}`);
    });
    cumulative += m.promBuckets[PROM_BUCKETS.length]!;
    out.push(`lepton_request_duration_seconds_bucket{${l},le="+Inf"} ${cumulative}`);
    out.push(
      `lepton_request_duration_seconds_sum{${l}} ${m.promSum}`,
      `lepton_request_duration_seconds_count{${l}} ${cumulative}`,
    );
    return out;
  });
  return lines.join('\n') + '\n';
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
