"""Peers of the `automl_score` case of `npm run bench -- automl`: scikit-learn's HistGradientBoosting at its
defaults, and LightGBM tuned by Optuna (TPE) for the same number of seconds as Lepton's AutoML budget.

usage: automl_peer.py hgb-default|lightgbm-optuna TABLE_DIR SECONDS
TABLE_DIR holds what bench/src/automl-tables.ts wrote (x.f64 row-major with NaN missing and categories as codes,
y.f64, train.i32, test.i32, meta.json). Optuna scores each trial by 3-fold cross-validation on the training rows
(stratified for classes, shuffled with seed 0), stops starting trials after SECONDS, refits the best parameters on
every training row and scores the test rows. One thread, as Lepton. Prints one JSON line: the test score
(accuracy in % for classes, RMSE for regression), the trials run and the seconds taken.
"""
import json
import sys
import time

import numpy as np

from bench_table import load_table

peer, folder, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
meta, x, y, train, test, classification = load_table(folder)
y_train = y[train].astype(int) if classification else y[train]


def score(pred, truth):
    if classification:
        return float(np.mean(pred.astype(int) == truth.astype(int)) * 100)
    return float(np.sqrt(np.mean((pred - truth) ** 2)))


start = time.perf_counter()
trials = 1
if peer == "hgb-default":
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    model = (HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor)(random_state=0)
    model.fit(x[train], y_train)
else:
    import lightgbm
    import optuna
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    make = lightgbm.LGBMClassifier if classification else lightgbm.LGBMRegressor
    folds = (StratifiedKFold if classification else KFold)(n_splits=3, shuffle=True, random_state=0)

    def params(trial):
        return dict(
            n_estimators=trial.suggest_int("n_estimators", 50, 500, log=True),
            num_leaves=trial.suggest_int("num_leaves", 8, 128, log=True),
            learning_rate=trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            min_child_samples=trial.suggest_int("min_child_samples", 5, 100, log=True),
            reg_lambda=trial.suggest_float("reg_lambda", 1e-3, 10, log=True),
            subsample=trial.suggest_float("subsample", 0.5, 1.0),
            subsample_freq=1,
            n_jobs=1,
            verbose=-1,
            random_state=0,
        )

    def objective(trial):
        scoring = "accuracy" if classification else "neg_root_mean_squared_error"
        return float(np.mean(cross_val_score(make(**params(trial)), x[train], y_train, cv=folds, scoring=scoring)))

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, timeout=seconds)
    trials = len(study.trials)
    model = make(**params(optuna.trial.FixedTrial(study.best_params)))
    model.fit(x[train], y_train)
pred = model.predict(x[test])
print(json.dumps({"score": score(pred, y[test]), "trials": trials, "seconds": round(time.perf_counter() - start, 2)}))
