"""The binary tensor data extension, checked byte for byte against requests built from its specification."""
from __future__ import annotations

import json
import struct
import unittest

import numpy as np

from lepton_ray.binary import HEADER, join_response, pack_bytes, split_request, unpack_bytes
from lepton_ray.errors import LeptonHttpError
from lepton_ray.tensors import decode_inputs, encode_outputs
from tests.support import catalogue

SPECS = [{"name": "x", "datatype": "FP32", "shape": [-1, 2]}, {"name": "s", "datatype": "BYTES", "shape": [-1]}]


def request_bytes(header: dict, *chunks: bytes) -> tuple[bytes, str]:
    """A request as the specification lays it out: the JSON, then each binary input's bytes in order."""
    head = json.dumps(header).encode()
    return head + b"".join(chunks), str(len(head))


class BinaryRequestTest(unittest.TestCase):
    def setUp(self) -> None:
        self.errors = catalogue()

    def test_a_request_mixing_json_and_binary_inputs_decodes_to_the_same_values(self) -> None:
        x = struct.pack("<4f", 1.5, -2.0, 0.25, 8.0)
        body, length = request_bytes({"inputs": [
            {"name": "x", "datatype": "FP32", "shape": [2, 2], "parameters": {"binary_data_size": len(x)}},
            {"name": "s", "datatype": "BYTES", "shape": [2], "data": ["Dream", "Biscoe"]},
        ]}, x)
        request, binary = split_request(body, length, self.errors)
        self.assertEqual(binary, {"x": x})
        feeds, rows = decode_inputs("m", SPECS, request["inputs"], binary, self.errors)
        self.assertEqual(rows, 2)
        np.testing.assert_array_equal(feeds["x"], np.array([[1.5, -2.0], [0.25, 8.0]], dtype=np.float32))
        self.assertEqual(feeds["s"].tolist(), ["Dream", "Biscoe"])

    def test_binary_bytes_elements_are_length_prefixed_little_endian(self) -> None:
        raw = struct.pack("<I", 5) + b"Dream" + struct.pack("<I", 0) + struct.pack("<I", 5) + "été".encode()
        self.assertEqual(pack_bytes([b"Dream", b"", "été".encode()]), raw)
        self.assertEqual(unpack_bytes(raw, "s", self.errors), [b"Dream", b"", "été".encode()])
        body, length = request_bytes({"inputs": [
            {"name": "x", "datatype": "FP32", "shape": [3, 2], "data": [0, 0, 0, 0, 0, 0]},
            {"name": "s", "datatype": "BYTES", "shape": [3], "parameters": {"binary_data_size": len(raw)}},
        ]}, raw)
        request, binary = split_request(body, length, self.errors)
        feeds, _ = decode_inputs("m", SPECS, request["inputs"], binary, self.errors)
        self.assertEqual(feeds["s"].tolist(), ["Dream", "", "été"])

    def test_fp16_inputs_travel_as_half_precision_bytes(self) -> None:
        specs = [{"name": "h", "datatype": "FP16", "shape": [-1, 2]}]
        raw = np.array([[0.5, -1.0]], dtype="<f2").tobytes()
        self.assertEqual(raw, b"\x00\x38\x00\xbc")
        body, length = request_bytes({"inputs": [{"name": "h", "datatype": "FP16", "shape": [1, 2], "parameters": {"binary_data_size": 4}}]}, raw)
        request, binary = split_request(body, length, self.errors)
        feeds, _ = decode_inputs("m", specs, request["inputs"], binary, self.errors)
        self.assertEqual(feeds["h"].dtype, np.float16)
        self.assertEqual(feeds["h"].tolist(), [[0.5, -1.0]])

    def test_a_binary_size_that_disagrees_with_the_body_or_the_shape_is_a_400(self) -> None:
        x = struct.pack("<4f", 1, 2, 3, 4)
        cases = {
            "more declared than sent": ({"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 2], "parameters": {"binary_data_size": 20}}]}, x),
            "bytes left over": ({"inputs": [{"name": "x", "datatype": "FP32", "shape": [2, 2], "parameters": {"binary_data_size": 12}}]}, x),
        }
        for title, (header, chunk) in cases.items():
            with self.subTest(title):
                body, length = request_bytes(header, chunk)
                with self.assertRaises(LeptonHttpError) as caught:
                    split_request(body, length, self.errors)
                self.assertEqual((caught.exception.status, caught.exception.code), (400, "LEPTON_BAD_REQUEST"))
        body, length = request_bytes({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 2], "parameters": {"binary_data_size": 16}},
                                                 {"name": "s", "datatype": "BYTES", "shape": [1], "data": ["a"]}]}, x)
        request, binary = split_request(body, length, self.errors)
        with self.assertRaises(LeptonHttpError) as caught:
            decode_inputs("m", SPECS, request["inputs"], binary, self.errors)
        self.assertEqual((caught.exception.status, caught.exception.code), (400, "LEPTON_BAD_REQUEST"))
        self.assertIn("takes 8 bytes", caught.exception.message)

    def test_a_header_length_past_the_body_is_a_400(self) -> None:
        with self.assertRaises(LeptonHttpError) as caught:
            split_request(b"{}", "10", self.errors)
        self.assertEqual(caught.exception.status, 400)

    def test_without_the_header_the_body_is_plain_json(self) -> None:
        request, binary = split_request(b'{"inputs": []}', None, self.errors)
        self.assertEqual((request, binary), ({"inputs": []}, {}))


class BinaryResponseTest(unittest.TestCase):
    def setUp(self) -> None:
        self.errors = catalogue()
        self.specs = [{"name": "probs", "datatype": "FP32", "shape": [-1, 2]}, {"name": "label", "datatype": "BYTES", "shape": [-1]}]
        self.outputs = {"probs": np.array([[0.25, 0.75]], dtype=np.float32), "label": np.array(["Adelie"], dtype=object)}

    def test_outputs_asked_in_binary_follow_the_json_and_the_header_gives_its_length(self) -> None:
        request = {"outputs": [{"name": "probs", "parameters": {"binary_data": True}}, {"name": "label"}]}
        tensors, chunks, _ = encode_outputs(self.outputs, self.specs, request, "m", self.errors)
        body, headers = join_response({"model_name": "m", "outputs": tensors}, chunks)
        length = int(headers[HEADER])
        head = json.loads(body[:length])
        self.assertEqual(head["outputs"][0], {"name": "probs", "datatype": "FP32", "shape": [1, 2], "parameters": {"binary_data_size": 8}})
        self.assertEqual(head["outputs"][1], {"name": "label", "datatype": "BYTES", "shape": [1], "data": ["Adelie"]})
        self.assertEqual(body[length:], struct.pack("<2f", 0.25, 0.75))

    def test_binary_data_output_makes_every_output_binary(self) -> None:
        tensors, chunks, _ = encode_outputs(self.outputs, self.specs, {"parameters": {"binary_data_output": True}}, "m", self.errors)
        self.assertEqual([t["parameters"]["binary_data_size"] for t in tensors], [8, 10])
        self.assertEqual(chunks[1], struct.pack("<I", 6) + b"Adelie")

    def test_a_json_only_answer_has_no_length_header(self) -> None:
        tensors, chunks, _ = encode_outputs(self.outputs, self.specs, {}, "m", self.errors)
        body, headers = join_response({"outputs": tensors}, chunks)
        self.assertNotIn(HEADER, headers)
        self.assertEqual(json.loads(body)["outputs"][0]["data"], [0.25, 0.75])

    def test_an_unknown_output_is_the_servers_400(self) -> None:
        with self.assertRaises(LeptonHttpError) as caught:
            encode_outputs(self.outputs, self.specs, {"outputs": [{"name": "nope"}]}, "m", self.errors)
        self.assertEqual(caught.exception.code, "LEPTON_UNKNOWN_OUTPUT")


if __name__ == "__main__":
    unittest.main()
