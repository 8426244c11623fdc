"""JSON request tensors: each bad request gets the code and status of Lepton's server (read from its catalogue)."""
from __future__ import annotations

import unittest

import numpy as np

from lepton_ray.errors import LeptonHttpError
from lepton_ray.tensors import decode_inputs
from tests.support import catalogue, catalogue_entries

SPECS = [{"name": "x", "datatype": "FP32", "shape": [-1, 2]}]


class JsonTensorsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.errors = catalogue()
        self.entries = catalogue_entries()

    def refused(self, inputs, entry: str, specs=SPECS) -> LeptonHttpError:
        with self.assertRaises(LeptonHttpError) as caught:
            decode_inputs("m", specs, inputs, {}, self.errors)
        self.assertEqual((caught.exception.code, caught.exception.status), (self.entries[entry]["code"], self.entries[entry]["status"]))
        return caught.exception

    def test_flat_and_nested_data_decode_alike(self) -> None:
        flat, rows = decode_inputs("m", SPECS, [{"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [1, 2, 3, 4]}], {}, self.errors)
        nested, _ = decode_inputs("m", SPECS, [{"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [[1, 2], [3, 4]]}], {}, self.errors)
        self.assertEqual(rows, 2)
        np.testing.assert_array_equal(flat["x"], nested["x"])

    def test_each_bad_request_gets_the_servers_code(self) -> None:
        good = {"name": "x", "datatype": "FP32", "shape": [1, 2], "data": [1, 2]}
        self.refused([{**good, "name": "y"}], "unknownInput")
        self.refused([good, good], "duplicateInput")
        self.refused([{**good, "datatype": "INT32"}], "badDatatype")
        self.refused([{**good, "shape": [1, 3], "data": [1, 2, 3]}], "badShape")
        self.refused([{**good, "data": [1]}], "badDataLength")
        self.refused([{**good, "data": [1, "two"]}], "badValue")
        self.refused([{**good, "data": [1, 1e39]}], "badValue")
        self.refused([{**good, "shape": [2, 2], "data": [[1, 2], [3]]}], "raggedData")
        self.refused([], "badRequest")
        self.refused([{"name": "x"}], "badRequest")
        two = [{"name": "a", "datatype": "FP32", "shape": [-1, 1]}, {"name": "b", "datatype": "FP32", "shape": [-1, 1]}]
        self.refused([{"name": "a", "datatype": "FP32", "shape": [1, 1], "data": [1]}], "missingInput", two)
        self.refused([{"name": "a", "datatype": "FP32", "shape": [1, 1], "data": [1]}, {"name": "b", "datatype": "FP32", "shape": [2, 1], "data": [1, 2]}], "batchMismatch", two)

    def test_messages_name_the_problem_as_the_server_does(self) -> None:
        error = self.refused([{"name": "x", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}], "badShape")
        self.assertEqual(error.message, 'Input "x" has shape [1, 3]; the model expects [?, 2].')

    def test_integers_must_fit_their_datatype(self) -> None:
        specs = [{"name": "i", "datatype": "UINT8", "shape": [-1]}]
        self.refused([{"name": "i", "datatype": "UINT8", "shape": [1], "data": [256]}], "badValue", specs)
        feeds, _ = decode_inputs("m", specs, [{"name": "i", "datatype": "UINT8", "shape": [2], "data": [0, 255]}], {}, self.errors)
        self.assertEqual(feeds["i"].tolist(), [0, 255])


if __name__ == "__main__":
    unittest.main()
