"""pandas and polars on the group-by and join of ../shared/anchors/dataframe.py, for `npm run bench -- dataframe`.

usage: dataframe_peer.py N_ROWS DATA_DIR
Generates the anchor's synthetic data (numpy default_rng(1): int32 keys in [0, 1000), floats in [0, 1000)), writes
it to DATA_DIR/id.i32 and DATA_DIR/v.f64 so Lepton and arquero time the very same values, then times each peer
(best of 3 after a warm-up) and prints one JSON line: {rows, pandas_groupby_ms, pandas_join_ms, polars_groupby_ms,
polars_join_ms, pandas_polars_max_rss_mb}. A peer that cannot be imported is reported as null.
"""
import json
import os
import resource
import sys
import time

import numpy as np

from timing import ms

N = int(float(sys.argv[1]))
out = sys.argv[2]
K = 1000
rng = np.random.default_rng(1)
key = rng.integers(0, K, N).astype("int32")
v = rng.random(N) * 1e3
os.makedirs(out, exist_ok=True)
key.tofile(os.path.join(out, "id.i32"))
v.astype("<f8").tofile(os.path.join(out, "v.f64"))


result = {"rows": N}
try:
    import pandas as pd

    pdf = pd.DataFrame({"id": key, "v": v})
    pdim = pd.DataFrame({"id": np.arange(K, dtype="int32"), "w": np.arange(K) * 2.0})
    result["pandas_groupby_ms"] = ms(lambda: pdf.groupby("id")["v"].agg(["sum", "mean", "count"]))
    result["pandas_join_ms"] = ms(lambda: pdf.merge(pdim, on="id"))
except ImportError as error:
    print(f"pandas missing: {error}", file=sys.stderr)
    result["pandas_groupby_ms"] = result["pandas_join_ms"] = None
try:
    import polars as pl

    pldf = pl.DataFrame({"id": key, "v": v})
    pldim = pl.DataFrame({"id": np.arange(K, dtype="int32"), "w": np.arange(K) * 2.0})
    result["polars_groupby_ms"] = ms(lambda: pldf.group_by("id").agg(pl.col("v").sum(), pl.col("v").mean().alias("m"), pl.len()))
    result["polars_join_ms"] = ms(lambda: pldf.join(pldim, on="id"))
except ImportError as error:
    print(f"polars missing: {error}", file=sys.stderr)
    result["polars_groupby_ms"] = result["polars_join_ms"] = None
result["pandas_polars_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(result))
