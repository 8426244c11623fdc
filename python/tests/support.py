"""What the tests share: the server's error catalogue and a Lepton-exported ONNX model, both written by the node test
that runs this suite (``test/src/ray/python.test.ts``), so the Python side is checked against the real ones."""
from __future__ import annotations

import json
import os
import unittest
from pathlib import Path

from lepton_ray.errors import Catalogue


def catalogue() -> Catalogue:
    """The Lepton server's catalogue (``LEPTON_ERROR_CATALOGUE``: a JSON file of ``errorCatalogue()``)."""
    return Catalogue(json.loads(Path(_env("LEPTON_ERROR_CATALOGUE")).read_text()))


def catalogue_entries() -> dict:
    return json.loads(Path(_env("LEPTON_ERROR_CATALOGUE")).read_text())


def model_bytes() -> bytes:
    """An MLP exported by ``lepton.export.onnx`` (``LEPTON_TEST_MODEL``): one FP32 input [batch, 4], softmax of 3."""
    return Path(_env("LEPTON_TEST_MODEL")).read_bytes()


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise unittest.SkipTest(f"{name} is not set: run this suite through test/dist/ray/python.test.js")
    return value


def pipeline_bytes() -> bytes:
    """The penguins pipeline as one graph (``lepton.export.pipelineOnnxBytes``, ``LEPTON_TEST_PIPELINE``): imputers,
    a scaler and ``oneHot`` in front of an MLP; float inputs for the four measurements, string inputs Sex and Island."""
    return Path(_env("LEPTON_TEST_PIPELINE")).read_bytes()
