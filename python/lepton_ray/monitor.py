"""The monitor of one deployment: a small detached Ray actor its replicas report to, so that metrics and the log
cover every replica (and outlive any one of them, as a killed replica's requests still count)."""
from __future__ import annotations

import time
from collections import deque
from typing import Any

#: Latencies kept for the all-time quantiles (a sliding sample: enough for p99 at any rate we serve).
_KEEP = 20_000
#: Log entries kept.
_LOG_KEEP = 1_000


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "mean": 0.0, "max": 0.0}
    ordered = sorted(values)
    at = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731 - a local helper
    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "mean": sum(ordered) / len(ordered), "max": ordered[-1]}


class Monitor:
    """Counts requests, errors, rows and latencies, keeps the log and the replicas that started."""

    def __init__(self, name: str):
        self.name = name
        self.requests = self.errors = self.rejected = self.rows = self.runs = self.run_rows = 0
        self.latencies: deque[float] = deque(maxlen=_KEEP)
        # (time, latency ms, status) of the last minute.
        self.recent: deque[tuple[float, float, int]] = deque()
        self.entries: deque[dict[str, Any]] = deque(maxlen=_LOG_KEEP)
        self.replicas: dict[str, dict[str, Any]] = {}
        self.non_finite = 0
        self.last_errors: deque[dict[str, Any]] = deque(maxlen=10)

    def record(self, status: int, latency_ms: float, rows: int, code: str | None = None, message: str | None = None,
               non_finite: bool = False) -> None:
        """One answered request (``code`` and ``message`` of an error answer)."""
        now = time.time()
        if non_finite:
            self.non_finite += 1
        if code is not None:
            self.last_errors.append({"at": _iso(now), "status": status, "code": code, "message": message or ""})
        self.requests += 1
        self.rows += rows
        if status >= 500:
            self.errors += 1
        elif status >= 400:
            self.rejected += 1
        self.latencies.append(latency_ms)
        self.recent.append((now, latency_ms, status))
        self._trim(now)

    def batch(self, rows: int) -> None:
        """One model run of ``rows`` rows (several requests' when batching shares a run)."""
        self.runs += 1
        self.run_rows += rows

    def log(self, level: str, event: str, message: str, fields: dict[str, Any] | None = None) -> None:
        """Adds an entry to the log (the same fields as Lepton server's log entries)."""
        entry = {"time": _iso(time.time()), "level": level, "event": event, "message": message}
        if fields:
            entry.update(fields)
        self.entries.append(entry)

    def replica_started(self, replica: str, pid: int, node: str) -> None:
        """A replica came up (first start or a restart after a crash)."""
        restart = len(self.replicas) > 0 and replica not in self.replicas
        self.replicas[replica] = {"id": replica, "pid": pid, "node": node, "startedAt": time.time()}
        self.log("info", "replica-start", f"Replica {replica} started (pid {pid}).", {"replica": replica, "pid": pid, "restart": restart})

    def replica_list(self) -> list[dict[str, Any]]:
        """The replicas that reported, newest last."""
        return sorted(self.replicas.values(), key=lambda r: r["startedAt"])

    def snapshot(self) -> dict[str, Any]:
        """The metrics, in the shape of Lepton server's ``MetricsSnapshot``."""
        now = time.time()
        self._trim(now)
        minute = list(self.recent)
        errors = sum(1 for _, _, s in minute if s >= 500)
        rejected = sum(1 for _, _, s in minute if 400 <= s < 500)
        per_second = [0] * 60
        for t, _, _ in minute:
            ago = int(now - t)
            if 0 <= ago < 60:
                per_second[59 - ago] += 1
        return {
            "requests": self.requests, "errors": self.errors, "rejected": self.rejected, "rows": self.rows,
            "lastMinute": {
                "requests": len(minute), "throughput": len(minute) / 60, "errors": errors, "rejected": rejected,
                "errorRate": errors / len(minute) if minute else 0.0,
                "latencyMs": _quantiles([ms for _, ms, _ in minute]), "perSecond": per_second,
            },
            "latencyMs": _quantiles(list(self.latencies)),
            "meanBatchRows": self.run_rows / self.runs if self.runs else 0.0,
            "shed": 0, "expired": 0, "aborted": 0, "nonFinite": self.non_finite,
            "lastErrors": list(self.last_errors), "alerts": [],
        }

    def logs(self, tail: int = 100) -> list[dict[str, Any]]:
        """The last ``tail`` log entries, oldest first."""
        return list(self.entries)[-tail:] if tail > 0 else []

    def _trim(self, now: float) -> None:
        while self.recent and self.recent[0][0] < now - 60:
            self.recent.popleft()


def monitor_name(deployment: str) -> str:
    """The actor name of a deployment's monitor (in the ``lepton`` namespace)."""
    return f"lepton-monitor:{deployment}"


