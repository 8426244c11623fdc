/**
 * The JSON the Lepton model server's management API answers with (`/lepton/v1/...`), as the panel reads it.
 * Declared here rather than imported from `@lepton/server`: the extension runs in the browser and must not bundle
 * the server; the server's own route tests keep these shapes honest.
 */

/** Latency percentiles in milliseconds. */
export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** An active alert. */
export interface Alert {
  rule: string;
  threshold: number;
  value: number;
  since: string;
}

/** One deployment's metrics (`GET /lepton/v1/deployments/:name/metrics`). */
export interface Metrics {
  requests: number;
  errors: number;
  rejected: number;
  rows: number;
  lastMinute: {
    requests: number;
    throughput: number;
    errors: number;
    rejected: number;
    errorRate: number;
    latencyMs: Latency;
    /** Requests answered in each of the last 60 seconds, oldest first. */
    perSecond?: number[];
  };
  latencyMs: Latency;
  alerts: Alert[];
}

/** A deployment's status (`GET /lepton/v1/deployments/:name`). */
export interface DeploymentInfo {
  name: string;
  status: 'loading' | 'ready' | 'stopped' | 'failed' | string;
  version: string;
  versions: string[];
  requests: number;
  errors: number;
  alerts: number;
  metrics: Metrics;
  failure?: string;
}

/** One log entry (`GET /lepton/v1/deployments/:name/logs`). */
export interface LogEntry {
  /** ISO 8601 time. */
  time: string;
  level: 'info' | 'warn' | 'error' | string;
  event: string;
  message: string;
}
