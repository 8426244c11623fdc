"""The Open Inference Protocol's binary tensor data extension, both directions.

A request may carry tensors as raw bytes after its JSON: the ``Inference-Header-Content-Length`` header gives the
JSON's length, and each input with ``parameters.binary_data_size`` takes that many bytes, in the order the inputs are
listed (such an input has no ``data``). An answer does the same for the outputs asked for with
``parameters.binary_data: true`` (or every output with the request's ``parameters.binary_data_output: true``).
Elements are little-endian; BOOL is one byte; each BYTES element is a 4-byte little-endian length and its bytes.
"""
from __future__ import annotations

import json
import struct
from typing import Any

from .errors import Catalogue

#: The header that gives the JSON part's length, in requests and answers.
HEADER = "inference-header-content-length"


def split_request(body: bytes, header_length: str | None, errors: Catalogue) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The request's JSON and the raw bytes of each input sent in binary (by input name)."""
    if header_length is None:
        return _parse_json(body, errors), {}
    try:
        length = int(header_length)
    except ValueError:
        raise errors.error("badRequest", f"Bad request: Inference-Header-Content-Length is {header_length!r}, not a number of bytes.") from None
    if length < 0 or length > len(body):
        raise errors.error("badRequest", f"Bad request: Inference-Header-Content-Length is {length}, but the body holds {len(body)} bytes.")
    request = _parse_json(body[:length], errors)
    binary: dict[str, bytes] = {}
    offset = length
    for tensor in request.get("inputs") or []:
        if not isinstance(tensor, dict):
            continue
        parameters = tensor.get("parameters") or {}
        if not isinstance(parameters, dict) or "binary_data_size" not in parameters:
            continue
        size = parameters["binary_data_size"]
        name = str(tensor.get("name"))
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise errors.error("badRequest", f"Bad request: input \"{name}\" has binary_data_size {size!r}; it must be a number of bytes.")
        if "data" in tensor:
            raise errors.error("badRequest", f"Bad request: input \"{name}\" has both data and binary_data_size; send one of them.")
        if offset + size > len(body):
            raise errors.error("badRequest", f"Bad request: input \"{name}\" declares binary_data_size {size}, but only {len(body) - offset} bytes follow the JSON for it.")
        binary[name] = body[offset:offset + size]
        offset += size
    if offset != len(body):
        raise errors.error("badRequest", f"Bad request: {len(body) - offset} bytes follow the binary inputs that no binary_data_size declares.")
    return request, binary


def join_response(response: dict[str, Any], chunks: list[bytes]) -> tuple[bytes, dict[str, str]]:
    """The answer's body and headers: JSON alone, or JSON then the binary outputs' bytes with the length header."""
    head = json.dumps(response, separators=(",", ":"), allow_nan=False).encode()
    if not chunks:
        return head, {"content-type": "application/json"}
    return head + b"".join(chunks), {"content-type": "application/octet-stream", HEADER: str(len(head))}


def pack_bytes(elements: list[bytes]) -> bytes:
    """BYTES elements as the extension lays them out: each a 4-byte little-endian length, then its bytes."""
    return b"".join(struct.pack("<I", len(e)) + e for e in elements)


def unpack_bytes(raw: bytes, name: str, errors: Catalogue) -> list[bytes]:
    """The elements of a binary BYTES tensor; a length running past the end is a 400 naming the input."""
    out: list[bytes] = []
    offset = 0
    while offset < len(raw):
        if offset + 4 > len(raw):
            raise errors.error("badRequest", f"Bad request: BYTES input \"{name}\" ends inside an element's 4-byte length.")
        (size,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        if offset + size > len(raw):
            raise errors.error("badRequest", f"Bad request: BYTES input \"{name}\" element {len(out)} declares {size} bytes, but {len(raw) - offset} remain.")
        out.append(raw[offset:offset + size])
        offset += size
    return out


def _parse_json(text: bytes, errors: Catalogue) -> dict[str, Any]:
    try:
        request = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise errors.error("badJson", f"The request body is not valid JSON: {error}") from None
    if not isinstance(request, dict):
        raise errors.error("badRequest", "Bad request: body must be object")
    return request
