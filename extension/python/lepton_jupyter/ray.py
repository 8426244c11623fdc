"""`GET /lepton/ray/deployments`: the Ray Serve deployments of the Lepton home's local cluster, for the panel.

They come from where `lepton.deployments()` reads them: `python -m lepton_ray.control list` in the project's Ray
environment (`.venv-ray`), asked about the cluster `npx lepton ray start` recorded in the home (`ray/cluster.json`).
The answer is `RayDeploymentsAnswer` of `@lepton/lib/contract`. No cluster is not an error: `running` is false.
"""

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .handlers import AUTH_RESOURCE, lepton_home, pid_alive

#: How long an answer is reused: each ask starts a Python that imports Ray and joins the cluster (about a CPU
#: second), and the panel refreshes every few seconds.
CACHE_S = 10.0
#: How long the control command may take before the panel is told it failed.
TIMEOUT_S = 60.0


def ray_environment():
    """The Ray Python and the folder holding `lepton_ray`, found as the library finds them: `LEPTON_RAY_PYTHON`,
    `LEPTON_RAY_VENV`, `LEPTON_PROJECT_ROOT`, else the project whose `.venv` runs this Jupyter server."""
    root = Path(os.environ.get("LEPTON_PROJECT_ROOT") or Path(sys.prefix).parent)
    venv = Path(os.environ.get("LEPTON_RAY_VENV") or root / ".venv-ray")
    return os.environ.get("LEPTON_RAY_PYTHON") or str(venv / "bin" / "python"), root / "python"


def local_cluster(home: Path):
    """The home's running local cluster record (`address`, `pid`), or None."""
    try:
        record = json.loads((home / "ray" / "cluster.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int) or not record.get("address"):
        return None
    return record if pid_alive(record["pid"]) else None


async def ray_deployments(home: Path) -> dict:
    """The `RayDeploymentsAnswer` for `home`: its cluster's deployments, or why they could not be listed."""
    cluster = local_cluster(home)
    if cluster is None:
        return {"running": False, "httpUrl": None, "deployments": []}
    python, package = ray_environment()
    failed = {"running": True, "httpUrl": None, "deployments": []}
    if not Path(python).exists() or not (package / "lepton_ray" / "control.py").exists():
        return {**failed, "error": f"Ray is not installed for Lepton ({python} is missing): run `npx lepton setup --ray`."}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(package), os.environ.get("PYTHONPATH")) if p),
           "RAY_USAGE_STATS_ENABLED": "0"}
    process = await asyncio.create_subprocess_exec(python, "-m", "lepton_ray.control", "list", stdin=asyncio.subprocess.PIPE,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
    try:
        out, err = await asyncio.wait_for(process.communicate(json.dumps({"address": cluster["address"]}).encode()), TIMEOUT_S)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        return {**failed, "error": f"Ray's list did not answer within {TIMEOUT_S:.0f} s."}
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or process.returncode != 0:
        reason = answer.get("error") if isinstance(answer, dict) else err.decode("utf-8", "replace").strip()[-400:]
        return {**failed, "error": f"Ray's list failed: {reason}"}
    port = answer.get("httpPort")
    host = str(cluster["address"]).rsplit(":", 1)[0]
    return {"running": True, "httpUrl": f"http://{host}:{port}" if port else None, "deployments": answer.get("deployments", [])}


class RayDeploymentsHandler(APIHandler):
    """`/lepton/ray/deployments` → the home's Ray deployments (one ask shared by concurrent requests, reused `CACHE_S`)."""

    auth_resource = AUTH_RESOURCE
    _cache: dict = {}

    @web.authenticated
    @authorized
    async def get(self):
        home = lepton_home()
        key = str(home)
        cached = self._cache.get(key)
        if cached is None or time.monotonic() - cached[0] > CACHE_S:
            cached = (time.monotonic(), asyncio.ensure_future(ray_deployments(home)))
            self._cache[key] = cached
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(await cached[1]))
