"""A whole-pipeline graph's raw columns: one [n, 1] input per column, numbers as FP32 and categories as BYTES, in JSON
and in the binary extension, with missing values (null in JSON, NaN in binary) where only those columns take them."""
from __future__ import annotations

import json
import struct
import unittest

import numpy as np

from lepton_ray.binary import pack_bytes, split_request
from lepton_ray.errors import LeptonHttpError
from lepton_ray.model import OnnxModel
from lepton_ray.tensors import decode_inputs
from tests.support import catalogue, catalogue_entries, pipeline_bytes

NUMERIC = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
#: Two penguins as a user writes them: the second has no body mass and no sex.
ROWS = [
    {"Beak Length (mm)": 39.1, "Beak Depth (mm)": 18.7, "Flipper Length (mm)": 181, "Body Mass (g)": 3750, "Sex": "MALE", "Island": "Torgersen"},
    {"Beak Length (mm)": 46.5, "Beak Depth (mm)": 17.9, "Flipper Length (mm)": 192, "Body Mass (g)": None, "Sex": None, "Island": "Dream"},
]


def json_inputs(model: OnnxModel, rows: list[dict]) -> list[dict]:
    """One JSON input per raw column, as curl would send it (null for a missing value)."""
    return [{"name": c["name"], "datatype": "BYTES" if c["type"] == "string" else "FP32", "shape": [len(rows), 1],
             "data": [[r[c["name"]]] for r in rows]} for c in model.columns]


class PipelineColumnsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.errors = catalogue()
        self.entries = catalogue_entries()
        self.model = OnnxModel(pipeline_bytes())
        self.missing = frozenset(c["name"] for c in self.model.columns)

    def decode(self, inputs: list[dict], binary: dict | None = None) -> dict[str, np.ndarray]:
        feeds, rows = decode_inputs("penguins", self.model.inputs, inputs, binary or {}, self.errors, missing=self.missing)
        self.assertEqual(rows, len(ROWS))
        return feeds

    def refused(self, inputs: list[dict], entry: str, binary: dict | None = None, missing: frozenset | None = None) -> None:
        with self.assertRaises(LeptonHttpError) as caught:
            decode_inputs("penguins", self.model.inputs, inputs, binary or {}, self.errors, missing=self.missing if missing is None else missing)
        self.assertEqual((caught.exception.code, caught.exception.status), (self.entries[entry]["code"], self.entries[entry]["status"]))

    def test_the_graph_declares_its_raw_columns_and_each_is_an_n_by_1_input(self) -> None:
        self.assertEqual(self.model.columns, [*({"name": n, "type": "float"} for n in NUMERIC), {"name": "Sex", "type": "string"}, {"name": "Island", "type": "string"}])
        specs = {s["name"]: (s["datatype"], s["shape"]) for s in self.model.inputs}
        self.assertEqual(specs, {**{n: ("FP32", [-1, 1]) for n in NUMERIC}, "Sex": ("BYTES", [-1, 1]), "Island": ("BYTES", [-1, 1])})
        self.assertTrue(self.model.batchable)

    def test_json_null_is_a_missing_value_nan_in_numbers_and_empty_in_categories(self) -> None:
        feeds = self.decode(json_inputs(self.model, ROWS))
        self.assertTrue(np.isnan(feeds["Body Mass (g)"][1, 0]))
        self.assertEqual(feeds["Body Mass (g)"][0, 0], 3750)
        self.assertEqual(feeds["Sex"].tolist(), [["MALE"], [""]])
        outputs = self.model.run(feeds)
        probs = next(iter(outputs.values()))
        self.assertEqual(probs.shape, (2, 3))
        self.assertTrue(np.isfinite(probs).all(), "the graph's imputers fill the missing values")

    def test_binary_columns_nan_and_length_prefixed_strings_answer_as_json_does(self) -> None:
        header = {"inputs": []}
        chunks: list[bytes] = []
        for c in self.model.columns:
            values = [r[c["name"]] for r in ROWS]
            if c["type"] == "string":
                raw = pack_bytes([(v or "").encode() for v in values])
                header["inputs"].append({"name": c["name"], "datatype": "BYTES", "shape": [2, 1], "parameters": {"binary_data_size": len(raw)}})
            else:
                raw = struct.pack("<2f", *(float("nan") if v is None else v for v in values))
                header["inputs"].append({"name": c["name"], "datatype": "FP32", "shape": [2, 1], "parameters": {"binary_data_size": len(raw)}})
            chunks.append(raw)
        head = json.dumps(header).encode()
        request, binary = split_request(head + b"".join(chunks), str(len(head)), self.errors)
        from_binary = self.model.run(self.decode(request["inputs"], binary))
        from_json = self.model.run(self.decode(json_inputs(self.model, ROWS)))
        for name in from_json:
            np.testing.assert_array_equal(from_binary[name], from_json[name])

    def test_a_missing_or_mistyped_column_gets_the_servers_code(self) -> None:
        inputs = json_inputs(self.model, ROWS)
        self.refused([i for i in inputs if i["name"] != "Island"], "missingInput")
        self.refused([{**i, "datatype": "FP32"} if i["name"] == "Island" else i for i in inputs], "badDatatype")
        self.refused([{**i, "data": [["heavy"], [1]]} if i["name"] == "Body Mass (g)" else i for i in inputs], "badValue")
        self.refused([{**i, "data": [[1], ["Dream"]]} if i["name"] == "Island" else i for i in inputs], "badValue")
        self.refused([{**i, "shape": [2], "data": [1, 2]} if i["name"] == "Body Mass (g)" else i for i in inputs], "badShape")

    def test_only_pipeline_columns_take_missing_values_infinity_never(self) -> None:
        inputs = json_inputs(self.model, ROWS)
        self.refused(inputs, "badValue", missing=frozenset())
        nan = struct.pack("<2f", 1.0, float("nan"))
        binary_mass = [{"name": i["name"], "datatype": "FP32", "shape": [2, 1], "parameters": {"binary_data_size": 8}} if i["name"] == "Body Mass (g)" else i for i in inputs]
        self.refused(binary_mass, "badValue", {"Body Mass (g)": nan}, missing=frozenset(n for n in self.missing if n != "Body Mass (g)"))
        self.refused(binary_mass, "badValue", {"Body Mass (g)": struct.pack("<2f", 1.0, float("inf"))})
        self.assertTrue(np.isnan(self.decode(binary_mass, {"Body Mass (g)": nan})["Body Mass (g)"][1, 0]))


if __name__ == "__main__":
    unittest.main()
