"""A Lepton-exported model in onnxruntime: its specs, and batched runs equal to one run per request."""
from __future__ import annotations

import unittest

import numpy as np

from lepton_ray.model import OnnxModel
from tests.support import model_bytes


class OnnxModelTest(unittest.TestCase):
    def test_the_specs_are_the_servers_with_a_free_batch_dimension(self) -> None:
        model = OnnxModel(model_bytes())
        self.assertEqual(len(model.inputs), 1)
        self.assertEqual(model.inputs[0]["datatype"], "FP32")
        self.assertEqual(model.inputs[0]["shape"], [-1, 4])
        self.assertEqual(model.outputs[0]["shape"], [-1, 3])
        self.assertTrue(model.batchable)

    def test_a_shared_run_answers_each_request_with_its_own_rows(self) -> None:
        model = OnnxModel(model_bytes())
        name = model.inputs[0]["name"]
        rng = np.random.default_rng(7)
        requests = [{name: rng.normal(size=(rows, 4)).astype(np.float32)} for rows in (1, 3, 2)]
        together = model.run_many(requests)
        for feeds, result in zip(requests, together):
            alone = model.run(feeds)
            for key in alone:
                np.testing.assert_allclose(result[key], alone[key], rtol=1e-6, atol=1e-7)

    def test_a_failed_run_is_returned_for_its_requests_only(self) -> None:
        model = OnnxModel(model_bytes())
        name = model.inputs[0]["name"]
        results = model.run_many([{name: np.zeros((1, 4), np.float32)}, {name: np.zeros((1, 5), np.float32)}])
        self.assertIsInstance(results[0], dict)
        self.assertIsInstance(results[1], Exception)


if __name__ == "__main__":
    unittest.main()
