"""Reads a table of `npm run bench -- automl` as bench/src/automl-tables.ts's `writeTable` wrote it: x.f64
(row-major, NaN missing, categories as codes), y.f64, train.i32, test.i32 and meta.json. Shared by the peers."""
import json
import os

import numpy as np


def load_table(folder):
    """Returns (meta, x, y, train, test, classification)."""
    meta = json.load(open(os.path.join(folder, "meta.json")))
    d = len(meta["features"])
    x = np.fromfile(os.path.join(folder, "x.f64"), dtype="<f8").reshape(-1, d)
    y = np.fromfile(os.path.join(folder, "y.f64"), dtype="<f8")
    train = np.fromfile(os.path.join(folder, "train.i32"), dtype="<i4")
    test = np.fromfile(os.path.join(folder, "test.i32"), dtype="<i4")
    return meta, x, y, train, test, meta["task"] == "classification"
