"""A local single-node Ray cluster for one Lepton home: started with ``ray start --head --block`` in its own process
group, on free loopback ports (never Ray's defaults, which another cluster on the machine may hold), with its own
temp dir and no dashboard; stopped by signalling that group only, never with ``ray stop`` (which stops every Ray
cluster of the machine). ``<home>/ray/cluster.json`` records it."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def record_path(home: str) -> Path:
    """Where the cluster of ``home`` is recorded."""
    return Path(home) / "ray" / "cluster.json"


def read_record(home: str) -> dict[str, Any] | None:
    """The cluster record of ``home``, or None when none was started (or it was stopped)."""
    try:
        return json.loads(record_path(home).read_text())
    except FileNotFoundError:
        return None


def alive(record: dict[str, Any]) -> bool:
    """Whether the recorded cluster's ``ray start`` process still runs."""
    try:
        os.kill(int(record["pid"]), 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def free_port() -> int:
    """A port free on loopback now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Ray gives its raylet a fixed 30 s to register; on a loaded machine that can pass, so a start is tried this often.
_ATTEMPTS = 3


def start(home: str, port: int | None, num_cpus: int, timeout_s: float = 120) -> dict[str, Any]:
    """Starts the cluster of ``home`` and returns its record; a running one is returned as it is."""
    record = read_record(home)
    if record is not None and alive(record):
        return {**record, "started": False}
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return _start_once(home, port, num_cpus, timeout_s)
        except _SlowStart:
            if attempt == _ATTEMPTS:
                raise RuntimeError(f"Ray's node did not register within Ray's 30 s in {_ATTEMPTS} tries: the machine is too loaded; "
                                   "try again later") from None
    raise AssertionError("unreachable")


class _SlowStart(Exception):
    """``ray start`` gave up waiting for its own raylet (a loaded machine, not a broken install)."""


def _start_once(home: str, port: int | None, num_cpus: int, timeout_s: float) -> dict[str, Any]:
    folder = Path(home) / "ray"
    folder.mkdir(parents=True, exist_ok=True)
    # Ray puts unix sockets under its temp dir, whose paths may not pass 107 bytes: a short folder of its own in the
    # system temp dir, whatever the home's path (removed on stop).
    temp_dir = Path(tempfile.mkdtemp(prefix="lepton-ray-"))
    gcs_port = port or free_port()
    ports = {name: free_port() for name in ("ray-client-server-port", "dashboard-agent-listen-port", "dashboard-agent-grpc-port",
                                            "metrics-export-port", "runtime-env-agent-port", "node-manager-port", "object-manager-port",
                                            "dashboard-port")}
    # Workers take a range of 201 ports, which Ray refuses to let overlap any port named above.
    taken = {gcs_port, *ports.values()}
    worker_low = min(free_port(), 60000)
    while any(worker_low <= p <= worker_low + 200 for p in taken):
        worker_low = min(free_port(), 60000)
    command = [str(Path(sys.executable).with_name("ray")), "start", "--head", "--block", f"--port={gcs_port}",
               "--node-ip-address=127.0.0.1", f"--num-cpus={num_cpus}", "--include-dashboard=false",
               "--disable-usage-stats", f"--temp-dir={temp_dir}",
               f"--min-worker-port={worker_low}", f"--max-worker-port={worker_low + 200}",
               *(f"--{name}={value}" for name, value in ports.items())]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    log = open(folder / "cluster.log", "ab")
    log_start = log.tell()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    record = {"address": f"127.0.0.1:{gcs_port}", "pid": process.pid, "pgid": process.pid, "tempDir": str(temp_dir),
              "numCpus": num_cpus, "log": str(folder / "cluster.log"), "startedAt": time.time()}
    # Recorded at once, so that a stop finds the cluster even if this start is cut short.
    _write_record(home, record)
    deadline = time.time() + timeout_s
    while True:
        if process.poll() is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
            text = (folder / "cluster.log").read_bytes()[log_start:].decode(errors="replace")
            _stop_group(record)
            record_path(home).unlink(missing_ok=True)
            if "timed out during startup" in text:
                raise _SlowStart()
            tail = text.strip().splitlines()[-3:]
            raise RuntimeError(f"ray start exited with {process.returncode}: {' '.join(tail)} (see {folder / 'cluster.log'})")
        # `ray start` says so once the node (GCS and raylet) is up; an open GCS port alone is too early.
        if _gcs_up(gcs_port) and b"Ray runtime started" in (folder / "cluster.log").read_bytes()[log_start:]:
            break
        if time.time() > deadline:
            _stop_group(record)
            shutil.rmtree(temp_dir, ignore_errors=True)
            record_path(home).unlink(missing_ok=True)
            raise RuntimeError(f"the Ray cluster did not come up within {timeout_s:.0f} s; see {folder / 'cluster.log'}")
        time.sleep(0.5)
    return {**record, "started": True}


def _write_record(home: str, record: dict[str, Any]) -> None:
    tmp = record_path(home).with_suffix(".tmp")
    tmp.write_text(json.dumps(record))
    tmp.replace(record_path(home))


def stop(home: str) -> bool:
    """Stops the cluster of ``home`` (its process group, then any straggler under its temp dir); False when none ran."""
    record = read_record(home)
    if record is None:
        return False
    was_alive = alive(record)
    _stop_group(record)
    shutil.rmtree(record["tempDir"], ignore_errors=True)
    record_path(home).unlink(missing_ok=True)
    return was_alive


def _gcs_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _stop_group(record: dict[str, Any]) -> None:
    pgid = int(record["pgid"])
    for sig, wait_s in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.time() + wait_s
        while time.time() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            continue
        break
    # Ray's daemons may leave the group; the ones this cluster started name its temp dir on their command line.
    for pid in _processes_naming(record["tempDir"]):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _processes_naming(text: str) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if text.encode() in (entry / "cmdline").read_bytes():
                out.append(int(entry.name))
        except OSError:
            continue
    return out
