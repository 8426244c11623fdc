/**
 * Monitoring of one deployment: request and error counts, throughput and latency quantiles over the last minute,
 * the last errors, Prometheus histogram buckets, and alert rules judged over the same minute.
 */
import { Histogram, Window } from './histogram.js';
import type { AlertRules } from './meta.js';

/** Upper bounds (seconds) of the Prometheus latency histogram. */
export const PROM_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** One recorded error. */
export interface ErrorRecord {
  /** ISO 8601 time. */
  at: string;
  /** The HTTP status answered. */
  status: number;
  /** The error's stable code. */
  code: string;
  /** The error's message. */
  message: string;
}

/** An alert rule that fires or fired. */
export interface AlertState {
  /** The rule's name, e.g. `p99Ms`. */
  rule: keyof AlertRules;
  /** The rule's threshold, from the version's `alerts`. */
  threshold: number;
  /** The value that broke (or last broke) the threshold. */
  value: number;
  /** ISO 8601 time it started firing. */
  since: string;
}

/** A change of alert state, for the log. */
export interface AlertEvent {
  kind: 'raised' | 'resolved';
  alert: AlertState;
}

/** A latency distribution, in milliseconds. */
export interface LatencySummary {
  /** The median. */
  p50: number;
  /** The 95th percentile. */
  p95: number;
  /** The 99th percentile. */
  p99: number;
  /** The mean. */
  mean: number;
  /** The slowest. */
  max: number;
}

/** The JSON metrics of one deployment. */
export interface MetricsSnapshot {
  /** Requests answered since the server started (any status). */
  requests: number;
  /** Requests answered with a 5xx (the model or the server failed). */
  errors: number;
  /** Requests answered with a 4xx (bad input). */
  rejected: number;
  /** Rows (first-dimension entries) inferred. */
  rows: number;
  /** Over the last minute. */
  lastMinute: {
    /** Requests answered. */
    requests: number;
    /** Requests per second. */
    throughput: number;
    /** Requests answered with a 5xx. */
    errors: number;
    /** Requests answered with a 4xx. */
    rejected: number;
    /** errors / requests. */
    errorRate: number;
    /** Latency over the last minute. */
    latencyMs: LatencySummary;
    /** Requests answered in each of the last 60 seconds, oldest first (a traffic sparkline). */
    perSecond: number[];
  };
  /** Since the server started. */
  latencyMs: LatencySummary;
  /** Mean rows per model run (dynamic batching at work when > 1). */
  meanBatchRows: number;
  /** Requests refused at once because the queue was full (503 `LEPTON_OVERLOADED`, with `Retry-After`). */
  shed: number;
  /** Requests dropped unrun at their deadline (503 `LEPTON_DEADLINE_EXCEEDED`). */
  expired: number;
  /** Requests whose client closed the connection before the answer (queued work dropped). */
  aborted: number;
  /** Answers holding NaN or ±Infinity (`parameters.non_finite`). */
  nonFinite: number;
  /** The latest failed requests, newest last. */
  lastErrors: ErrorRecord[];
  /** The alert rules firing now. */
  alerts: AlertState[];
}

interface Second {
  hist: Histogram;
  errors: number;
  rejected: number;
}

const LAST_ERRORS = 20;

/** Counters and histograms of one deployment. */
export class Monitor {
  requests = 0;
  errors = 0;
  rejected = 0;
  rows = 0;
  runs = 0;
  runRows = 0;
  shed = 0;
  expired = 0;
  aborted = 0;
  nonFinite = 0;
  /** Cumulative counts per `PROM_BUCKETS` bound (plus +Inf at the end). */
  readonly promBuckets = new Float64Array(PROM_BUCKETS.length + 1);
  promSum = 0;
  readonly lifetime = new Histogram();
  readonly lastErrors: ErrorRecord[] = [];
  private readonly window: Window<Second>;
  private readonly firing = new Map<keyof AlertRules, AlertState>();

  constructor(now: () => number = Date.now) {
    this.window = new Window<Second>(
      60,
      () => ({ hist: new Histogram(), errors: 0, rejected: 0 }),
      (s) => {
        s.hist.clear();
        s.errors = s.rejected = 0;
      },
      now,
    );
  }

  /** Records one answered request: its latency, HTTP status, and rows inferred. */
  record(ms: number, status: number, rows: number): void {
    this.requests++;
    this.rows += rows;
    const second = this.window.current();
    second.hist.record(ms);
    this.lifetime.record(ms);
    if (status >= 500) {
      this.errors++;
      second.errors++;
    } else if (status >= 400) {
      this.rejected++;
      second.rejected++;
    }
    const s = ms / 1000;
    this.promSum += s;
    let i = 0;
    while (i < PROM_BUCKETS.length && s > PROM_BUCKETS[i]!) i++;
    this.promBuckets[i]!++;
  }

  /** Records one model run of `rows` rows (for the mean batch size). */
  recordRun(rows: number): void {
    this.runs++;
    this.runRows += rows;
  }

  /** Keeps an error among the last ones. */
  recordError(status: number, code: string, message: string): void {
    if (code === 'LEPTON_OVERLOADED') this.shed++;
    else if (code === 'LEPTON_DEADLINE_EXCEEDED') this.expired++;
    this.lastErrors.push({ at: new Date().toISOString(), status, code, message });
    if (this.lastErrors.length > LAST_ERRORS) this.lastErrors.shift();
  }

  /** The metrics as JSON. */
  snapshot(): MetricsSnapshot {
    const minute = this.minute();
    return {
      requests: this.requests,
      errors: this.errors,
      rejected: this.rejected,
      rows: this.rows,
      lastMinute: minute,
      latencyMs: summary(this.lifetime),
      meanBatchRows: this.runs ? this.runRows / this.runs : 0,
      shed: this.shed,
      expired: this.expired,
      aborted: this.aborted,
      nonFinite: this.nonFinite,
      lastErrors: [...this.lastErrors],
      alerts: [...this.firing.values()],
    };
  }

  /** Judges `rules` over the last minute; returns the alerts raised or resolved since the last call. */
  checkAlerts(rules: AlertRules): AlertEvent[] {
    const minute = this.minute();
    const enough = minute.requests >= (rules.minRequests ?? 20);
    const values: Partial<Record<keyof AlertRules, number>> = {
      p99Ms: minute.latencyMs.p99,
      p95Ms: minute.latencyMs.p95,
      errorRate: minute.errorRate,
    };
    const events: AlertEvent[] = [];
    for (const rule of ['p99Ms', 'p95Ms', 'errorRate'] as const) {
      const threshold = rules[rule];
      const value = values[rule]!;
      const active = this.firing.get(rule);
      if (threshold !== undefined && enough && value > threshold) {
        if (active) active.value = value;
        else {
          const alert: AlertState = { rule, threshold, value, since: new Date().toISOString() };
          this.firing.set(rule, alert);
          events.push({ kind: 'raised', alert });
        }
      } else if (active && (threshold === undefined || minute.requests === 0 || value <= threshold)) {
        this.firing.delete(rule);
        events.push({ kind: 'resolved', alert: { ...active, value } });
      }
    }
    return events;
  }

  private minute(): MetricsSnapshot['lastMinute'] {
    const hist = new Histogram();
    let errors = 0;
    let rejected = 0;
    const seconds = this.window.recent();
    for (const s of seconds) {
      hist.add(s.hist);
      errors += s.errors;
      rejected += s.rejected;
    }
    return {
      requests: hist.count,
      throughput: hist.count / 60,
      errors,
      rejected,
      errorRate: hist.count ? errors / hist.count : 0,
      latencyMs: summary(hist),
      perSecond: this.window.series((s) => s.hist.count),
    };
  }
}

function summary(h: Histogram): MetricsSnapshot['latencyMs'] {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    p50: r(h.quantile(0.5)),
    p95: r(h.quantile(0.95)),
    p99: r(h.quantile(0.99)),
    mean: r(h.count ? h.sum / h.count : 0),
    max: r(h.max),
  };
}
