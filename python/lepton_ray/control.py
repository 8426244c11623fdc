"""``python -m lepton_ray.control COMMAND``: what the notebook side and the ``lepton ray`` CLI ask of Ray.

The arguments come as one JSON object on stdin; the answer is one JSON object on stdout's last line (an error is
``{"error": message, "code": code}`` with exit status 1). Commands: ``cluster-start``, ``cluster-stop``,
``cluster-status`` (a local cluster of a Lepton home), and ``deploy``, ``status``, ``scale``, ``remove``, ``list``
(applications on the cluster at ``address``). Each deployment's config and model are kept in the cluster's own
key-value store, so any driver (another kernel, the CLI) can list, scale or remove it.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import sys
import time
from typing import Any

from . import cluster

#: The key-value namespace of Lepton's deployment records in the cluster.
KV_NAMESPACE = "lepton"
#: The front application (``/v2``, health, unknown models).
FRONT = "lepton-front"


class ControlError(Exception):
    """A refusal with a stable code the notebook side maps to its own errors."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def _connect(address: str) -> None:
    import ray

    if not address:
        raise ControlError("LEPTON_RAY_NO_CLUSTER", "No Ray address: start a local cluster with `npx lepton ray start`, or pass target.ray.address.")
    # A cluster just started (or a loaded machine) may refuse the first try: a few more within a minute.
    deadline = time.time() + 60
    while True:
        try:
            ray.init(address=address, namespace=KV_NAMESPACE, logging_level=logging.ERROR, log_to_driver=False,
                     configure_logging=False)
            return
        except Exception as error:  # noqa: BLE001 - ray.init raises ConnectionError, RuntimeError and more
            ray.shutdown()
            if time.time() > deadline:
                raise ControlError("LEPTON_RAY_UNREACHABLE", f"Cannot connect to the Ray cluster at {address}: {error}. Is it running "
                                   "(`npx lepton ray status`)?") from None
            time.sleep(2)


def _kv_get(key: str) -> bytes | None:
    from ray.experimental import internal_kv

    return internal_kv._internal_kv_get(key, namespace=KV_NAMESPACE)


def _kv_put(key: str, value: bytes) -> None:
    from ray.experimental import internal_kv

    internal_kv._internal_kv_put(key, value, overwrite=True, namespace=KV_NAMESPACE)


def _kv_del(key: str) -> None:
    from ray.experimental import internal_kv

    internal_kv._internal_kv_del(key, namespace=KV_NAMESPACE)


def _kv_names() -> list[str]:
    from ray.experimental import internal_kv

    keys = internal_kv._internal_kv_list("config:", namespace=KV_NAMESPACE)
    return sorted(k.decode()[len("config:"):] for k in keys)


def _serve_started(http_port: int | None) -> int:
    """Starts Serve's HTTP proxy on loopback (at ``http_port``, else a free port) unless it runs; returns its port."""
    from ray import serve

    recorded = _kv_get("http-port")
    if recorded is not None:
        return int(recorded)
    port = http_port or cluster.free_port()
    serve.start(http_options={"host": "127.0.0.1", "port": port})
    _kv_put("http-port", str(port).encode())
    return port


def _front(catalogue: dict[str, Any], version: str) -> None:
    """Deploys the front application unless it runs (deploying it again would restart it for nothing)."""
    from ray import serve

    from .app import LeptonFront

    front = serve.status().applications.get(FRONT)
    if front is not None and str(getattr(front.status, "value", front.status)) == "RUNNING":
        return

    serve.run(LeptonFront.bind({"catalogue": catalogue, "leptonVersion": version}), name=FRONT, route_prefix="/v2")


def _application(config: dict[str, Any], onnx: bytes) -> Any:
    from .app import LeptonModel

    options: dict[str, Any] = {}
    if config.get("autoscaling"):
        scaling = config["autoscaling"]
        options["autoscaling_config"] = {"min_replicas": scaling["min"], "max_replicas": scaling["max"],
                                         "target_ongoing_requests": scaling.get("targetOngoingRequests", 2),
                                         "upscale_delay_s": 2, "downscale_delay_s": 30}
        options["num_replicas"] = "auto"
    else:
        options["num_replicas"] = int(config.get("replicas", 1))
    queue = (config.get("batching") or {}).get("maxQueue")
    if queue:
        # A full queue answers 503, as the Lepton server's maxQueue does.
        options["max_queued_requests"] = int(queue)
    return LeptonModel.options(**options).bind(config, onnx)


def deploy(args: dict[str, Any]) -> dict[str, Any]:
    """Deploys (or redeploys, as the next version) ONNX bytes as the application ``name``; waits until it runs."""
    from ray import serve

    from .errors import Catalogue
    from .model import OnnxModel
    from .monitor import Monitor, monitor_name

    name = args["name"]
    onnx = base64.b64decode(args["model"])
    Catalogue(args["catalogue"])
    try:
        OnnxModel(onnx)
    except Exception as error:  # noqa: BLE001 - onnxruntime's load errors have no common type
        raise ControlError("LEPTON_BAD_MODEL", f"onnxruntime cannot load the model for \"{name}\": {error}") from None
    _connect(args.get("address", ""))
    http_port = _serve_started(args.get("httpPort"))
    _front(args["catalogue"], args.get("leptonVersion", "0"))
    previous = _kv_get(f"config:{name}")
    version = str(int(json.loads(previous)["version"]) + 1) if previous else "1"
    config = {"name": name, "version": version, "catalogue": args["catalogue"], "batching": args.get("batching") or {},
              "replicas": args.get("replicas", 1), "autoscaling": args.get("autoscaling"),
              "maxElements": args.get("maxElements", 1 << 20), "createdAt": time.time()}
    import ray

    monitor = ray.remote(Monitor).options(name=monitor_name(name), namespace=KV_NAMESPACE, lifetime="detached", num_cpus=0,
                                          get_if_exists=True).remote(name)
    _kv_put(f"model:{name}", onnx)
    _kv_put(f"config:{name}", json.dumps(config).encode())
    ray.get(monitor.log.remote("info", "deploy", f"Deploying version {version} to Ray Serve "
                               f"({_replicas_text(config)}).", {"version": version}))
    serve.run(_application(config, onnx), name=name, route_prefix=f"/v2/models/{name}")
    ray.get(monitor.log.remote("info", "ready", f"Version {version} is serving.", {"version": version}))
    return {**_status(name), "httpPort": http_port}


def scale(args: dict[str, Any]) -> dict[str, Any]:
    """Sets the replica count (or autoscaling) of ``name``; waits until the application runs again."""
    from ray import serve

    from .monitor import monitor_name
    import ray

    _connect(args.get("address", ""))
    name = args["name"]
    config, onnx = _stored(name)
    config["replicas"] = int(args["replicas"]) if args.get("replicas") is not None else config.get("replicas", 1)
    config["autoscaling"] = args.get("autoscaling")
    _kv_put(f"config:{name}", json.dumps(config).encode())
    serve.run(_application(config, onnx), name=name, route_prefix=f"/v2/models/{name}")
    monitor = ray.get_actor(monitor_name(name), namespace=KV_NAMESPACE)
    ray.get(monitor.log.remote("info", "scale", f"Scaled to {_replicas_text(config)}.", {"version": config["version"]}))
    return _status(name)


def status(args: dict[str, Any]) -> dict[str, Any]:
    """The application's state, its replicas' states and processes, its version and config."""
    _connect(args.get("address", ""))
    return _status(args["name"])


def remove(args: dict[str, Any]) -> dict[str, Any]:
    """Deletes the application, its monitor and its records."""
    from ray import serve

    from .monitor import monitor_name
    import ray

    _connect(args.get("address", ""))
    name = args["name"]
    _stored(name)
    serve.delete(name)
    try:
        ray.kill(ray.get_actor(monitor_name(name), namespace=KV_NAMESPACE))
    except ValueError:
        pass
    _kv_del(f"config:{name}")
    _kv_del(f"model:{name}")
    return {"name": name, "removed": True}


def list_deployments(args: dict[str, Any]) -> dict[str, Any]:
    """Every Lepton deployment on the cluster, with its status."""
    _connect(args.get("address", ""))
    return {"deployments": [_status(name) for name in _kv_names()], "httpPort": _http_port()}


def _stored(name: str) -> tuple[dict[str, Any], bytes]:
    config, onnx = _kv_get(f"config:{name}"), _kv_get(f"model:{name}")
    if config is None or onnx is None:
        known = ", ".join(_kv_names()) or "none"
        raise ControlError("LEPTON_UNKNOWN_MODEL", f"No Lepton deployment \"{name}\" on this Ray cluster (deployments: {known}).")
    return json.loads(config), onnx


def _http_port() -> int | None:
    port = _kv_get("http-port")
    return int(port) if port is not None else None


def _replicas_text(config: dict[str, Any]) -> str:
    scaling = config.get("autoscaling")
    if scaling:
        return f"autoscaling {scaling['min']}–{scaling['max']} replicas, {scaling.get('targetOngoingRequests', 2)} ongoing requests each"
    count = int(config.get("replicas", 1))
    return f"{count} replica{'s' if count != 1 else ''}"


def _status(name: str) -> dict[str, Any]:
    from ray import serve

    from .model import OnnxModel
    from .monitor import monitor_name
    import ray

    config, onnx = _stored(name)
    application = serve.status().applications.get(name)
    state = "stopped"
    replica_states: dict[str, int] = {}
    message = ""
    if application is not None:
        state = str(getattr(application.status, "value", application.status))
        message = application.message or ""
        for deployment in application.deployments.values():
            replica_states = {str(getattr(k, "value", k)): int(v) for k, v in deployment.replica_states.items()}
            message = message or deployment.message or ""
    replicas: list[dict[str, Any]] = []
    try:
        replicas = ray.get(ray.get_actor(monitor_name(name), namespace=KV_NAMESPACE).replica_list.remote())
    except ValueError:
        pass
    model = OnnxModel(onnx)
    return {"name": name, "version": config["version"], "status": state, "message": message, "replicaStates": replica_states,
            "replicas": replicas, "config": {k: v for k, v in config.items() if k != "catalogue"},
            "inputs": model.inputs, "outputs": model.outputs, **({"columns": model.columns} if model.columns is not None else {}),
            "httpPort": _http_port()}


def _cluster_start(args: dict[str, Any]) -> dict[str, Any]:
    record = cluster.start(args["home"], args.get("port"), int(args.get("numCpus", 2)))
    _connect(record["address"])
    record["httpPort"] = _serve_started(args.get("httpPort"))
    _front(args["catalogue"], args.get("leptonVersion", "0"))
    return record


def _cluster_status(args: dict[str, Any]) -> dict[str, Any]:
    record = cluster.read_record(args["home"])
    if record is None or not cluster.alive(record):
        return {"running": False}
    _connect(record["address"])
    return {"running": True, **record, "httpPort": _http_port(), "deployments": [_status(n) for n in _kv_names()]}


COMMANDS = {
    "cluster-start": _cluster_start,
    "cluster-stop": lambda args: {"stopped": cluster.stop(args["home"])},
    "cluster-status": _cluster_status,
    "deploy": deploy,
    "scale": scale,
    "status": status,
    "remove": remove,
    "list": list_deployments,
}


def main(argv: list[str]) -> int:
    """Runs one command; the answer (or the error) is printed as JSON on the last line."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(json.dumps({"error": f"usage: python -m lepton_ray.control {{{'|'.join(COMMANDS)}}} < args.json", "code": "LEPTON_BAD_INPUT"}))
        return 2
    try:
        answer = COMMANDS[argv[0]](json.loads(sys.stdin.read() or "{}"))
    except ControlError as error:
        print(json.dumps({"error": str(error), "code": error.code}))
        return 1
    except Exception as error:  # noqa: BLE001 - any failure is reported to the caller, who names it to the user
        print(json.dumps({"error": f"{type(error).__name__}: {error}", "code": "LEPTON_RAY_FAILED"}))
        return 1
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
