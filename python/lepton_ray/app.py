"""The Serve application: a Lepton ONNX graph behind the Open Inference Protocol v2 routes of Lepton's server.

Each Lepton deployment is one Serve application whose route prefix is ``/v2/models/<name>``, so its routes are the
server's: ``""`` (metadata), ``/ready``, ``/infer``, the same under ``/versions/<v>``, and ``/lepton/metrics`` and
``/lepton/logs`` for the notebook. One front application at ``/v2`` answers ``/v2``, ``/v2/health/live|ready``, and
any model the cluster does not serve (404 ``LEPTON_UNKNOWN_MODEL``): Serve routes by the longest prefix.
"""
from __future__ import annotations

import asyncio
import os
import socket
import time
from typing import Any

import numpy as np
from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .binary import HEADER, join_response, split_request
from .errors import Catalogue, LeptonHttpError
from .model import OnnxModel
from .tensors import decode_inputs, encode_outputs

#: The binary tensor data extension, listed in ``GET /v2`` as Triton lists it.
EXTENSIONS = ["binary_tensor_data"]
#: Preprocessing on the server side of raw records belongs to the whole-pipeline graph, not to this application.
_PREPROCESS = "lepton_preprocess"


def _error_response(error: LeptonHttpError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers={"retry-after": "1"} if error.status == 503 else None)


@serve.deployment(name="LeptonModel", ray_actor_options={"num_cpus": 0.5}, health_check_period_s=1, health_check_timeout_s=5,
                  graceful_shutdown_timeout_s=2)
class LeptonModel:
    """One replica: the model in onnxruntime, its routes, and Ray's batching of its runs."""

    def __init__(self, config: dict[str, Any], onnx: bytes):
        self.name: str = config["name"]
        self.version: str = str(config["version"])
        self.errors = Catalogue(config["catalogue"])
        self.max_elements = int(config.get("maxElements", 1 << 20))
        self.model = OnnxModel(onnx)
        # A whole-pipeline graph's raw columns take missing values (its imputers fill them); other inputs do not.
        self.missing = frozenset(c["name"] for c in self.model.columns or [])
        batching = config.get("batching") or {}
        self.max_batch = int(batching.get("maxBatch", 32))
        # @serve.batch's knobs from the deployment's batching options (maxBatch counts requests here, rows there).
        self._batched.set_max_batch_size(max(1, self.max_batch))
        self._batched.set_batch_wait_timeout_s(max(0.0, float(batching.get("maxDelayMs", 0)) / 1000))
        self.monitor = _monitor(self.name)
        context = serve.get_replica_context()
        replica = getattr(getattr(context, "replica_id", None), "unique_id", None) or getattr(context, "replica_tag", "replica")
        if self.monitor is not None:
            self.monitor.replica_started.remote(str(replica), os.getpid(), socket.gethostname())

    async def __call__(self, request: Request) -> Response:
        path = _relative(request, self.name)
        started = time.perf_counter()
        rows = 0
        status = 200
        code: str | None = None
        message: str | None = None
        non_finite = False
        try:
            parts = [p for p in path.split("/") if p]
            version = None
            if len(parts) >= 2 and parts[0] == "versions":
                version = parts[1]
                parts = parts[2:]
                if version != self.version:
                    raise self.errors.error("unknownVersion", f"Model \"{self.name}\" has no version \"{version}\" (versions: {self.version}).")
            route = "/".join(parts)
            if route == "" and request.method == "GET":
                return JSONResponse({"name": self.name, "versions": [self.version], "platform": "onnxruntime_onnx",
                                     "inputs": self.model.inputs, "outputs": self.model.outputs})
            if route == "ready" and request.method == "GET":
                return JSONResponse({"name": self.name, "ready": True})
            if route == "infer" and request.method == "POST":
                response, rows, non_finite = await self._infer(request)
                return response
            if version is None and route == "lepton/metrics" and request.method == "GET":
                return JSONResponse(await self.monitor.snapshot.remote() if self.monitor else {})
            if version is None and route == "lepton/logs" and request.method == "GET":
                tail = int(request.query_params.get("tail", "100"))
                return JSONResponse({"entries": await self.monitor.logs.remote(tail) if self.monitor else []})
            raise self.errors.error("notFound", f"No route for {request.method} {request.url.path}.")
        except LeptonHttpError as error:
            status, code, message = error.status, error.code, error.message
            return _error_response(error)
        finally:
            if self.monitor is not None and path.rstrip("/").endswith("infer"):
                self.monitor.record.remote(status, (time.perf_counter() - started) * 1000, rows, code, message, non_finite)

    async def _infer(self, request: Request) -> tuple[Response, int, bool]:
        content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if content_type not in ("application/json", "application/octet-stream", ""):
            raise self.errors.error("badContentType", f"Content type \"{content_type}\" is not accepted; send application/json.")
        body, binary = split_request(await request.body(), request.headers.get(HEADER), self.errors)
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        if parameters.get(_PREPROCESS) and self.model.columns is not None:
            names = ", ".join(f"\"{c['name']}\" ({c['type']})" for c in self.model.columns)
            raise self.errors.error("badRequest", f"Bad request: model \"{self.name}\" is a whole-pipeline graph that takes one [n, 1] input per raw "
                                    f"column ({names}), not parameters.lepton_preprocess records; send the columns (null for a missing value).")
        if parameters.get(_PREPROCESS):
            raise self.errors.error("noTransforms", f"Model \"{self.name}\" version {self.version} was deployed without transforms, so it cannot "
                                    "preprocess records (parameters.lepton_preprocess); send the model's input tensors, or deploy the "
                                    "whole-pipeline graph (lepton.export.onnx with { transforms }).")
        feeds, rows = decode_inputs(self.name, self.model.inputs, body.get("inputs"), binary, self.errors, self.max_elements, self.missing)
        if self.max_batch > 1 and self.model.batchable and rows > 0:
            outputs = await self._batched(feeds)
        else:
            outputs = (await asyncio.to_thread(self.model.run_many, [feeds]))[0]
        if isinstance(outputs, Exception):
            raise self.errors.error("inferenceFailed", f"Model \"{self.name}\" version {self.version} failed on this request: {outputs}")
        tensors, chunks, non_finite = encode_outputs(outputs, self.model.outputs, body, self.name, self.errors)
        answer: dict[str, Any] = {"model_name": self.name, "model_version": self.version}
        if isinstance(body.get("id"), str):
            answer["id"] = body["id"]
        if non_finite:
            answer["parameters"] = {"non_finite": True}
        answer["outputs"] = tensors
        content, headers = join_response(answer, chunks)
        return Response(content, headers=headers), rows, non_finite

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.0)
    async def _batched(self, requests: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray] | Exception]:
        # The run leaves the event loop free for health checks and for the next requests to queue.
        results = await asyncio.to_thread(self.model.run_many, requests)
        if self.monitor is not None:
            self.monitor.batch.remote(sum(next(iter(r.values())).shape[0] for r in requests))
        return results


@serve.deployment(name="LeptonFront", ray_actor_options={"num_cpus": 0}, health_check_period_s=2)
class LeptonFront:
    """``/v2`` (server metadata), ``/v2/health/*``, and the 404 for models this cluster does not serve."""

    def __init__(self, config: dict[str, Any]):
        self.errors = Catalogue(config["catalogue"])
        self.version = str(config.get("leptonVersion", "0"))

    async def __call__(self, request: Request) -> Response:
        path = request.url.path
        parts = [p for p in path.split("/") if p]
        if parts == ["v2"]:
            return JSONResponse({"name": "lepton-ray", "version": self.version, "extensions": EXTENSIONS})
        if parts == ["v2", "health", "live"]:
            return JSONResponse({"live": True})
        if parts == ["v2", "health", "ready"]:
            # The proxy only routes here once the front is up; each model's readiness is its own /ready route.
            return JSONResponse({"ready": True, "reasons": []})
        if len(parts) >= 3 and parts[:2] == ["v2", "models"]:
            return _error_response(self.errors.error("unknownModel", f"Unknown model \"{parts[2]}\"."))
        return _error_response(self.errors.error("notFound", f"No route for {request.method} {path}."))


def _relative(request: Request, name: str) -> str:
    """The request's path below ``/v2/models/<name>`` (Serve passes the full path; older versions strip the prefix)."""
    path = request.url.path
    prefix = f"/v2/models/{name}"
    return path[len(prefix):] if path.startswith(prefix) else path


def _monitor(name: str) -> Any:
    """The deployment's monitor actor (made by ``control deploy``); None when it is gone, so serving goes on."""
    import ray

    from .monitor import monitor_name
    try:
        return ray.get_actor(monitor_name(name), namespace="lepton")
    except ValueError:
        return None
