"""LightGBM and scikit-learn's HistGradientBoosting on the tables of `npm run bench -- automl`.

usage: gbm_peer.py lightgbm|sklearn TABLE_DIR
TABLE_DIR holds what bench/src/automl-tables.ts wrote: x.f64 (row-major, NaN missing), y.f64, train.i32, test.i32,
meta.json. Settings match Lepton's case: 100 trees, 31 leaves, learning rate 0.1, 20 rows per leaf, 255 bins, no
early stopping, one thread (Lepton trains on one; the suite sets OMP_NUM_THREADS=1). Prints one JSON line: fit seconds by the clock and
by CPU (process_time: user + system), each the best of `repeats`, and the test score (accuracy in % for classes, RMSE for regression).
"""
import json
import sys
import time

import numpy as np

from bench_table import load_table

peer, folder = sys.argv[1], sys.argv[2]
meta, x, y, train, test, classification = load_table(folder)
repeats = 3 if len(train) < 50_000 else 2

if peer == "lightgbm":
    import lightgbm

    def make():
        common = dict(n_estimators=100, num_leaves=31, learning_rate=0.1, min_child_samples=20, max_bin=255, n_jobs=1, verbose=-1, random_state=0)
        return lightgbm.LGBMClassifier(**common) if classification else lightgbm.LGBMRegressor(**common)
else:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor


    def make():
        common = dict(max_iter=100, max_leaf_nodes=31, learning_rate=0.1, min_samples_leaf=20, max_bins=255, early_stopping=False, random_state=0)
        return HistGradientBoostingClassifier(**common) if classification else HistGradientBoostingRegressor(**common)

best = float("inf")
best_cpu = float("inf")
model = None
for _ in range(repeats):
    m = make()
    start = time.perf_counter()
    cpu = time.process_time()
    m.fit(x[train], y[train] if not classification else y[train].astype(int))
    best = min(best, time.perf_counter() - start)
    best_cpu = min(best_cpu, time.process_time() - cpu)
    model = m
pred = model.predict(x[test])
if classification:
    score = float(np.mean(pred.astype(int) == y[test].astype(int)) * 100)
else:
    score = float(np.sqrt(np.mean((pred - y[test]) ** 2)))
print(json.dumps({"fit_s": round(best, 4), "fit_cpu_s": round(best_cpu, 4), "score": score}))
