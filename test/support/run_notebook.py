"""Executes a notebook end to end against its kernel with nbclient (what Jupyter's tools use) and reports it.

Usage: run_notebook.py NOTEBOOK OUT_PATH [TIMEOUT_S]
Writes the executed notebook to OUT_PATH and prints one JSON line: each code cell's outputs, and the error if any.
"""
import json
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path, out_path = sys.argv[1], sys.argv[2]
timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 600
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=timeout, kernel_name="lepton", resources={"metadata": {"path": sys.argv[4] if len(sys.argv) > 4 else "."}})
error = None
started = time.time()
try:
    client.execute()
except CellExecutionError as e:
    error = str(e)[-4000:]
except Exception as e:  # a timeout or a dead kernel is a failure the test reports
    error = f"{type(e).__name__}: {e}"[-4000:]
nbformat.write(nb, out_path)
cells = [
    {"source": c.source, "outputs": c.get("outputs", [])}
    for c in nb.cells
    if c.cell_type == "code"
]
print(json.dumps({"error": error, "seconds": time.time() - started, "cells": cells}))
