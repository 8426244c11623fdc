"""An ONNX graph in onnxruntime, as the Serve application runs it: its tensor specs in the protocol's terms, and one
run over several requests' rows at once (the batch ``@serve.batch`` hands over)."""
from __future__ import annotations

from typing import Any, Sequence

import json

import numpy as np
import onnxruntime as ort

#: The OIP datatype of each onnxruntime element type.
_ORT_DATATYPES = {
    "tensor(bool)": "BOOL", "tensor(uint8)": "UINT8", "tensor(uint16)": "UINT16", "tensor(uint32)": "UINT32",
    "tensor(uint64)": "UINT64", "tensor(int8)": "INT8", "tensor(int16)": "INT16", "tensor(int32)": "INT32",
    "tensor(int64)": "INT64", "tensor(float16)": "FP16", "tensor(float)": "FP32", "tensor(double)": "FP64",
    "tensor(string)": "BYTES",
}


class OnnxModel:
    """An onnxruntime session over ONNX bytes, with its inputs and outputs as OIP tensor specs."""

    def __init__(self, onnx: bytes, threads: int = 1):
        options = ort.SessionOptions()
        # A replica is one of several processes on the node: one thread each, Ray scales by replicas.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(onnx, options, providers=["CPUExecutionProvider"])
        self.inputs = [_spec(i) for i in self.session.get_inputs()]
        self.outputs = [_spec(o) for o in self.session.get_outputs()]
        self._output_names = [o["name"] for o in self.outputs]
        self.columns = pipeline_columns(self.session.get_modelmeta().custom_metadata_map)
        # Rows of several requests can share one run only when every input has a free first dimension.
        self.batchable = all(s["shape"] and s["shape"][0] == -1 for s in self.inputs)

    def run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Runs one request's feeds."""
        return dict(zip(self._output_names, self.session.run(self._output_names, feeds)))

    def run_many(self, requests: Sequence[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray] | Exception]:
        """Runs several requests, concatenating the rows of those whose inputs agree past the first dimension; a
        failure of one run is returned in the place of each request it held, never raised for the others."""
        results: list[dict[str, np.ndarray] | Exception | None] = [None] * len(requests)
        groups: dict[Any, list[int]] = {}
        for i, feeds in enumerate(requests):
            key = tuple((name, feeds[name].shape[1:]) for name in sorted(feeds)) if self.batchable else i
            groups.setdefault(key, []).append(i)
        for members in groups.values():
            try:
                if len(members) == 1:
                    results[members[0]] = self.run(requests[members[0]])
                    continue
                joined = {name: np.concatenate([requests[i][name] for i in members]) for name in requests[members[0]]}
                outputs = self.run(joined)
                start = 0
                for i in members:
                    rows = next(iter(requests[i].values())).shape[0]
                    results[i] = {name: value[start:start + rows] for name, value in outputs.items()}
                    start += rows
            except Exception as error:  # noqa: BLE001 - onnxruntime raises plain exceptions; each request gets it
                for i in members:
                    results[i] = error
        return [r if r is not None else RuntimeError("not run") for r in results]


#: The metadata key of a whole-pipeline graph (``PIPELINE_METADATA`` of ``lepton.export``): its raw columns as JSON.
PIPELINE_METADATA = "lepton.pipeline"


def pipeline_columns(metadata: dict[str, str]) -> list[dict[str, str]] | None:
    """The raw columns a whole-pipeline graph declares (``[{"name", "type"}]``, type ``float``, ``double`` or
    ``string``), or None for any other model. In those inputs a missing value is NaN or ``""``: the graph's imputers
    fill them, so the application lets requests send them (``null`` in JSON)."""
    text = metadata.get(PIPELINE_METADATA)
    if text is None:
        return None
    inputs = json.loads(text).get("inputs")
    if not isinstance(inputs, list):
        return None
    return [{"name": str(c["name"]), "type": str(c["type"])} for c in inputs if isinstance(c, dict) and "name" in c and "type" in c]


def _spec(node: Any) -> dict[str, Any]:
    datatype = _ORT_DATATYPES.get(node.type)
    if datatype is None:
        raise ValueError(f"{node.name} has type {node.type}, which the Open Inference Protocol cannot carry")
    shape = [d if isinstance(d, int) and d >= 0 else -1 for d in node.shape]
    return {"name": node.name, "datatype": datatype, "shape": shape}
