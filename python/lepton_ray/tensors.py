"""Open Inference Protocol v2 tensors: request inputs (JSON or binary) to numpy arrays checked against the model's
specs, and model outputs back to JSON or binary. The checks and their order are those of Lepton's server
(``server/src/tensors.ts``), so a bad request gets the same code from either server.
"""
from __future__ import annotations

import math
from typing import AbstractSet, Any, Mapping, Sequence

import numpy as np

from .binary import pack_bytes, unpack_bytes
from .errors import Catalogue

#: numpy's type for each OIP datatype (little-endian, as the binary extension lays them out).
DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype("bool"), "UINT8": np.dtype("<u1"), "UINT16": np.dtype("<u2"), "UINT32": np.dtype("<u4"),
    "UINT64": np.dtype("<u8"), "INT8": np.dtype("<i1"), "INT16": np.dtype("<i2"), "INT32": np.dtype("<i4"),
    "INT64": np.dtype("<i8"), "FP16": np.dtype("<f2"), "FP32": np.dtype("<f4"), "FP64": np.dtype("<f8"),
}

#: The integer range JSON values must fall in (64-bit ones up to 2^53, as JSON numbers are exact there).
_SAFE = 2 ** 53 - 1
_RANGE = {
    "UINT8": (0, 255), "UINT16": (0, 65535), "UINT32": (0, 4294967295), "UINT64": (0, _SAFE),
    "INT8": (-128, 127), "INT16": (-32768, 32767), "INT32": (-2147483648, 2147483647), "INT64": (-_SAFE, _SAFE),
}

#: What ``null`` stands for in a pipeline column (a missing value, as the graph's imputers read it).
_NAN = float("nan")
_MISSING: dict[str, Any] = {"FP32": _NAN, "FP64": _NAN, "BYTES": ""}

#: The default cap on one input's elements, as Lepton's server's ``--max-elements`` default.
DEFAULT_MAX_ELEMENTS = 1 << 20


def decode_inputs(model: str, specs: Sequence[Mapping[str, Any]], inputs: Any, binary: Mapping[str, bytes],
                  errors: Catalogue, max_elements: int = DEFAULT_MAX_ELEMENTS,
                  missing: AbstractSet[str] = frozenset()) -> tuple[dict[str, np.ndarray], int]:
    """One array per model input, checked against ``specs``, and the batch size (the shared first dimension).

    Inputs named in ``missing`` (a whole-pipeline graph's raw columns) take missing values: ``null`` in JSON
    (NaN in a number column, ``""`` in a BYTES one) and NaN in binary data. Elsewhere NaN and Infinity are refused
    in JSON and binary alike, as Lepton's server refuses them."""
    if not isinstance(inputs, list) or not inputs:
        raise errors.error("badRequest", "Bad request: body/inputs must be a non-empty array")
    feeds: dict[str, np.ndarray] = {}
    rows = -1
    detail = ""
    for tensor in inputs:
        if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str) or not isinstance(tensor.get("datatype"), str) \
                or not _is_shape(tensor.get("shape")) or ("data" not in tensor and tensor.get("name") not in binary):
            raise errors.error("badRequest", "Bad request: each input needs name, shape, datatype and data (or parameters.binary_data_size)")
        name = tensor["name"]
        spec = next((s for s in specs if s["name"] == name), None)
        if spec is None:
            known = ", ".join(s["name"] for s in specs)
            raise errors.error("unknownInput", f"Model \"{model}\" has no input \"{name}\" (inputs: {known}).")
        if name in feeds:
            raise errors.error("duplicateInput", f"Input \"{name}\" appears more than once.")
        if tensor["datatype"] != spec["datatype"]:
            raise errors.error("badDatatype", f"Input \"{name}\" has datatype {tensor['datatype']}; the model expects {spec['datatype']}.")
        shape = list(tensor["shape"])
        want = spec["shape"]
        if len(shape) != len(want) or any(w != -1 and d != w for d, w in zip(shape, want)):
            raise errors.error("badShape", f"Input \"{name}\" has shape [{', '.join(map(str, shape))}]; the model expects [{', '.join('?' if w == -1 else str(w) for w in want)}].")
        size = math.prod(shape)
        if size > max_elements:
            raise errors.error("tooManyElements", f"Input \"{name}\" has {size} elements; one request may hold at most {max_elements}. Split it into smaller batches.")
        if name in binary:
            feeds[name] = _from_binary(name, spec["datatype"], binary[name], shape, size, errors, name in missing)
        else:
            feeds[name] = _from_json(name, spec["datatype"], tensor["data"], shape, size, errors, name in missing)
        first = shape[0] if shape else 1
        detail += f"{', ' if detail else ''}{name} has {first}"
        if rows == -1:
            rows = first
        elif rows != first and want[0] == -1:
            raise errors.error("batchMismatch", f"The inputs disagree on the batch dimension: {detail}.")
    for spec in specs:
        if spec["name"] not in feeds:
            raise errors.error("missingInput", f"The request lacks input \"{spec['name']}\" of model \"{model}\".")
    return feeds, max(rows, 0)


def encode_outputs(outputs: Mapping[str, np.ndarray], specs: Sequence[Mapping[str, Any]], request: Mapping[str, Any],
                   model: str, errors: Catalogue) -> tuple[list[dict[str, Any]], list[bytes], bool]:
    """The answer's output tensors (those asked for, else all), the bytes of the binary ones in order, and whether a
    JSON output held NaN or ±Infinity (sent as null, flagged ``parameters.non_finite`` as Lepton's server does)."""
    asked = request.get("outputs")
    request_parameters = request.get("parameters") if isinstance(request.get("parameters"), dict) else {}
    all_binary = bool(request_parameters.get("binary_data_output"))
    names = [s["name"] for s in specs]
    wanted: list[tuple[str, bool]] = []
    if isinstance(asked, list) and asked:
        for entry in asked:
            name = entry.get("name") if isinstance(entry, dict) else None
            if name not in names:
                raise errors.error("unknownOutput", f"Model \"{model}\" has no output \"{name}\" (outputs: {', '.join(names)}).")
            parameters = entry.get("parameters") if isinstance(entry.get("parameters"), dict) else {}
            wanted.append((name, bool(parameters.get("binary_data", all_binary))))
    else:
        wanted = [(name, all_binary) for name in names]
    tensors: list[dict[str, Any]] = []
    chunks: list[bytes] = []
    non_finite = False
    for name, as_binary in wanted:
        array = np.asarray(outputs[name])
        datatype = datatype_of(array.dtype)
        tensor: dict[str, Any] = {"name": name, "datatype": datatype, "shape": list(array.shape)}
        if as_binary:
            raw = _to_binary(datatype, array)
            tensor["parameters"] = {"binary_data_size": len(raw)}
            chunks.append(raw)
        else:
            data, bad = _to_json(datatype, array)
            non_finite = non_finite or bad
            tensor["data"] = data
        tensors.append(tensor)
    return tensors, chunks, non_finite


def datatype_of(dtype: np.dtype) -> str:
    """The OIP datatype of a numpy dtype (strings and objects are BYTES)."""
    if dtype.kind in "OSU":
        return "BYTES"
    for name, known in DTYPES.items():
        if known == dtype.newbyteorder("<") or known == dtype:
            return name
    raise ValueError(f"no OIP datatype for numpy {dtype}")


def _is_shape(shape: Any) -> bool:
    return isinstance(shape, list) and len(shape) <= 32 and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)


def _from_binary(name: str, datatype: str, raw: bytes, shape: list[int], size: int, errors: Catalogue, missing_ok: bool = False) -> np.ndarray:
    if datatype == "BYTES":
        elements = unpack_bytes(raw, name, errors)
        if len(elements) != size:
            raise errors.error("badDataLength", f"Input \"{name}\" has {len(elements)} values; its shape holds {size}.")
        return np.array([_text(e, name, i, errors) for i, e in enumerate(elements)], dtype=object).reshape(shape)
    dtype = DTYPES[datatype]
    if len(raw) != size * dtype.itemsize:
        raise errors.error("badRequest", f"Bad request: input \"{name}\" has binary_data_size {len(raw)}, but shape [{', '.join(map(str, shape))}] of {datatype} takes {size * dtype.itemsize} bytes.")
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    if datatype.startswith("FP"):
        # NaN is a missing value only in a pipeline column; Infinity never is (as Lepton's server checks binary data).
        bad = np.flatnonzero(np.isinf(array.reshape(-1)) if missing_ok else ~np.isfinite(array.reshape(-1)))
        if bad.size:
            i = int(bad[0])
            raise errors.error("badValue", f"Input \"{name}\" value at flat index {i} ({_describe(float(array.reshape(-1)[i]))}) is not a valid {datatype} (NaN and Infinity are not allowed).")
    return array


def _text(raw: bytes, name: str, index: int, errors: Catalogue) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.error("badValue", f"Input \"{name}\" value at flat index {index} (binary) is not a valid BYTES (UTF-8 text).") from None


def _from_json(name: str, datatype: str, data: Any, shape: list[int], size: int, errors: Catalogue, missing_ok: bool = False) -> np.ndarray:
    if not isinstance(data, list):
        raise errors.error("badRequest", f"Bad request: input \"{name}\" data must be array")
    flat = _flatten(name, data, shape, errors)
    if len(flat) != size:
        raise errors.error("badDataLength", f"Input \"{name}\" has {len(flat)} values; its shape holds {size}.")
    if missing_ok and datatype in _MISSING:
        flat = [_MISSING[datatype] if value is None else value for value in flat]
    for i, value in enumerate(flat):
        if not _valid(datatype, value):
            raise errors.error("badValue", f"Input \"{name}\" value at flat index {i} ({_describe(value)}) is not a valid {datatype}{' (NaN and Infinity are not allowed)' if datatype.startswith('FP') else ''}.")
    if datatype == "BYTES":
        return np.array(flat, dtype=object).reshape(shape)
    array = np.array(flat, dtype=DTYPES[datatype].newbyteorder("=")).reshape(shape)
    if datatype in ("FP16", "FP32"):
        # A finite double can overflow the narrower float: refused as the server refuses it (NaN here is a
        # pipeline column's missing value, every other NaN was refused above).
        overflow = np.flatnonzero(np.isinf(array.reshape(-1)))
        if overflow.size:
            i = int(overflow[0])
            raise errors.error("badValue", f"Input \"{name}\" value at flat index {i} ({_describe(flat[i])}) is not a valid {datatype} (NaN and Infinity are not allowed).")
    return array


def _valid(datatype: str, value: Any) -> bool:
    if datatype == "BYTES":
        return isinstance(value, str)
    if datatype == "BOOL":
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if datatype.startswith("FP"):
        # NaN only arrives as a pipeline column's missing value (null, replaced before this check).
        return math.isfinite(value) or math.isnan(value) and value is _NAN
    low, high = _RANGE[datatype]
    return float(value).is_integer() and low <= value <= high


def _flatten(name: str, data: list[Any], shape: list[int], errors: Catalogue) -> list[Any]:
    """Row-major flattening of nested data, which must follow the shape exactly (as the server's ``flatten``)."""
    if not data or not isinstance(data[0], list):
        return data
    out: list[Any] = []

    def walk(level: list[Any], depth: int, path: str) -> None:
        want = shape[depth] if depth < len(shape) else 0
        if len(level) != want:
            raise errors.error("raggedData", f"Input \"{name}\" data{path} has {len(level)} entries where shape [{', '.join(map(str, shape))}] needs {want}: nested data must follow the shape exactly (or send it flat).")
        last = depth == len(shape) - 1
        for i, item in enumerate(level):
            if last:
                out.append(item)
            elif isinstance(item, list):
                walk(item, depth + 1, f"{path}[{i}]")
            else:
                raise errors.error("raggedData", f"Input \"{name}\" data{path}[{i}] has 1 entries where shape [{', '.join(map(str, shape))}] needs {shape[depth + 1]}: nested data must follow the shape exactly (or send it flat).")

    walk(data, 0, "")
    return out


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = f"\"{value}\"" if isinstance(value, str) else str(value)
    return text[:40] + "…" if len(text) > 40 else text


def _to_binary(datatype: str, array: np.ndarray) -> bytes:
    if datatype == "BYTES":
        return pack_bytes([v if isinstance(v, bytes) else str(v).encode("utf-8") for v in array.reshape(-1)])
    return np.ascontiguousarray(array, dtype=DTYPES[datatype]).tobytes()


def _to_json(datatype: str, array: np.ndarray) -> tuple[list[Any], bool]:
    flat = array.reshape(-1)
    if datatype == "BYTES":
        return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in flat], False
    if datatype == "BOOL":
        return [bool(v) for v in flat], False
    if datatype.startswith("FP"):
        values = flat.astype(np.float64)
        finite = np.isfinite(values)
        if finite.all():
            return values.tolist(), False
        return [float(v) if ok else None for v, ok in zip(values.tolist(), finite.tolist())], True
    return [int(v) for v in flat.tolist()], False
