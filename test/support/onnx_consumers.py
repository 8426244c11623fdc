"""Judges Lepton's exported ONNX files the way other engines read them (driven by test/src/export/pipeline.test.ts).

  check MODEL COLUMNS OUT        onnx.checker (full check) on MODEL, then run it in Python's onnxruntime on the raw
                                 columns in COLUMNS; writes the first output to OUT.
  repository DIR NAME PROTO COLUMNS OUT
                                 parses DIR/NAME/config.pbtxt with Triton's model_config.proto (compiled by
                                 grpc_tools.protoc) in protobuf's text format, checks that the model file loads in
                                 onnxruntime with the input and output names, types and dims the config declares,
                                 runs it on COLUMNS and writes the first output to OUT; also reads DIR/kserve.yaml.

  foreign OUT WIDTH              writes a model as another producer makes one (onnx.helper: opset 13, IR 7, weights
                                 in float_data, values named like the ones Lepton's transforms generate) taking
                                 float_input [batch, WIDTH], giving softmax(x W + b); prints W and b as JSON.

COLUMNS is JSON: {"name": {"type": "float" | "string" | "double", "values": [...]}}, null for a missing value.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

# Triton's data types and onnxruntime's names for the same element types.
TRITON_TO_ORT = {
    "TYPE_FP32": "tensor(float)",
    "TYPE_FP64": "tensor(double)",
    "TYPE_STRING": "tensor(string)",
    "TYPE_INT64": "tensor(int64)",
    "TYPE_INT32": "tensor(int32)",
}


def feeds_of(path):
    with open(path) as f:
        columns = json.load(f)
    feeds = {}
    for name, column in columns.items():
        values = column["values"]
        if column["type"] == "string":
            feeds[name] = np.array([["" if v is None else v] for v in values], dtype=object)
        else:
            dtype = np.float64 if column["type"] == "double" else np.float32
            feeds[name] = np.array([[np.nan if v is None else v] for v in values], dtype=dtype)
    return feeds


def run(model_path, columns_path, out_path):
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    (out,) = session.run([session.get_outputs()[0].name], feeds_of(columns_path))
    with open(out_path, "w") as f:
        json.dump({"shape": list(out.shape), "data": [None if np.isnan(x) else float(x) for x in out.reshape(-1)]}, f)
    return session


def check(model_path, columns_path, out_path):
    import onnx

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    run(model_path, columns_path, out_path)
    print("checked", model_path, "opsets", {o.domain or "ai.onnx": o.version for o in model.opset_import})


def triton_schema(proto_path):
    """model_config.proto compiled from Triton's own schema, so a field or enum Triton does not know fails the parse."""
    out = tempfile.mkdtemp(prefix="triton-proto-")
    proto_dir, proto_file = os.path.split(os.path.abspath(proto_path))
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_dir}", f"--python_out={out}", proto_file], check=True)
    sys.path.insert(0, out)
    return __import__(proto_file[: -len(".proto")] + "_pb2")


def repository(root, name, proto_path, columns_path, out_path):
    from google.protobuf import text_format

    schema = triton_schema(proto_path)
    with open(os.path.join(root, name, "config.pbtxt")) as f:
        config = text_format.Parse(f.read(), schema.ModelConfig())
    assert config.name == name, f"config names {config.name!r}, the folder is {name!r}"
    assert config.platform == "onnxruntime_onnx", config.platform
    versions = [v for v in os.listdir(os.path.join(root, name)) if v.isdigit()]
    assert len(versions) == 1, versions
    model_path = os.path.join(root, name, versions[0], "model.onnx")
    session = run(model_path, columns_path, out_path)

    # Triton's ONNX backend matches the config to the model by name, type and dims (the batch dim added when
    # max_batch_size > 0); a free dimension is -1 on both sides.
    batch = [-1] if config.max_batch_size > 0 else []
    for declared, actual in ((config.input, session.get_inputs()), (config.output, session.get_outputs())):
        assert [t.name for t in declared] == [t.name for t in actual], ([t.name for t in declared], [t.name for t in actual])
        for t, a in zip(declared, actual):
            dtype = schema.DataType.Name(t.data_type)
            assert TRITON_TO_ORT[dtype] == a.type, (t.name, dtype, a.type)
            dims = [d if isinstance(d, int) else -1 for d in a.shape]
            assert batch + list(t.dims) == dims, (t.name, batch + list(t.dims), dims)

    with open(os.path.join(root, "kserve.yaml")) as f:
        manifest = f.read()
    try:
        import yaml
    except ImportError:  # jupyterlab brings PyYAML; without it the manifest is only read as text
        yaml = None
    if yaml is not None:
        service = yaml.safe_load(manifest)
        assert service["kind"] == "InferenceService", service
        assert service["spec"]["predictor"]["model"]["modelFormat"]["name"] == "onnx", service
    summary = {
        "max_batch_size": config.max_batch_size,
        "max_queue_delay_microseconds": config.dynamic_batching.max_queue_delay_microseconds,
        "max_queue_size": config.dynamic_batching.default_queue_policy.max_queue_size,
        "instances": [g.count for g in config.instance_group],
        "inputs": [[t.name, int(t.data_type), list(t.dims)] for t in config.input],
    }
    print("repository", json.dumps(summary))


def foreign(out_path, width):
    from onnx import TensorProto, helper

    width = int(width)
    w = [[round(0.1 * ((3 * i + j) % 7) - 0.3, 3) for j in range(3)] for i in range(width)]
    b = [0.1, -0.2, 0.05]
    nodes = [
        # Names a pipeline front also generates: composing must keep the two apart.
        helper.make_node("MatMul", ["float_input", "W"], ["standardScaler/Sub_out0"], name="standardScaler/Sub"),
        helper.make_node("Add", ["standardScaler/Sub_out0", "B"], ["features/Concat_out0"], name="features/Concat"),
        helper.make_node("Softmax", ["features/Concat_out0"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "foreign",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, ["N", width])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])],
        initializer=[
            helper.make_tensor("W", TensorProto.FLOAT, [width, 3], [v for row in w for v in row]),
            helper.make_tensor("B", TensorProto.FLOAT, [3], b),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=7, producer_name="onnx.helper")
    assert not model.graph.initializer[0].raw_data, "weights must sit in float_data"
    with open(out_path, "wb") as f:
        f.write(model.SerializeToString())
    print(json.dumps({"W": w, "b": b}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"check": check, "repository": repository, "foreign": foreign}[command](*args)
