"""Optuna peer of `npm run bench -- tune`: the same search as Lepton's on the same data.

Usage: tune_optuna.py DATA.json SEEDS TRIALS EPOCHS SYNTHETIC_SEEDS

DATA.json (written by bench/src/suites/tune.ts) holds the standardised penguin features (flipper length, body mass) and labels of the training
and validation rows, the space and the training settings. For each seed, Optuna's TPESampler(seed) and
RandomSampler(seed) each run TRIALS trials; a trial trains a Keras MLP (Dense(units, relu) → Dropout(dropout) →
Dense(3, softmax), Adam(lr), batch 32) for EPOCHS epochs and returns the validation accuracy after the last one.
Then both samplers optimise the synthetic objective of the suite (no training; `synthetic` below) with
SYNTHETIC_SEEDS seeds, comparing the samplers alone.
Prints one JSON line: the best value of every (sampler, seed) and the seconds each search took.
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import optuna  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def synthetic(lr: float, units: int, dropout: float) -> float:
    """Must match `synthetic` in bench/src/suites/tune.ts: one optimum at lr 10^-2.5, units 2^4.5, dropout 0.1."""
    return -((np.log10(lr) + 2.5) ** 2) - ((np.log2(units) - 4.5) / 2) ** 2 - 4 * (dropout - 0.1) ** 2


def main() -> None:
    path, seeds, trials, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    synthetic_seeds = int(sys.argv[5])
    with open(path) as f:
        data = json.load(f)
    x_train = np.asarray(data["xTrain"], dtype=np.float32)
    y_train = np.asarray(data["yTrain"], dtype=np.int32)
    x_val = np.asarray(data["xVal"], dtype=np.float32)
    y_val = np.asarray(data["yVal"], dtype=np.int32)
    space = data["space"]
    batch = int(data["batchSize"])
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def suggest(trial: optuna.Trial) -> tuple[float, int, float]:
        lr = trial.suggest_float("lr", space["lr"]["low"], space["lr"]["high"], log=space["lr"]["log"])
        units = trial.suggest_int("units", space["units"]["low"], space["units"]["high"], log=space["units"]["log"])
        dropout = trial.suggest_float("dropout", space["dropout"]["low"], space["dropout"]["high"], log=space["dropout"]["log"])
        return lr, units, dropout

    def objective(trial: optuna.Trial) -> float:
        lr, units, dropout = suggest(trial)
        keras.utils.set_random_seed(trial.number + 1000 * trial.study.user_attrs["seed"])
        model = keras.Sequential([
            keras.Input(shape=(x_train.shape[1],)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(3, activation="softmax"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch, validation_data=(x_val, y_val), verbose=0, shuffle=True)
        keras.backend.clear_session()
        return float(history.history["val_accuracy"][-1])

    result: dict = {"optuna": optuna.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}
    for name, make in (("tpe", lambda s: optuna.samplers.TPESampler(seed=s)), ("random", lambda s: optuna.samplers.RandomSampler(seed=s))):
        best, seconds = [], []
        for seed in range(1, seeds + 1):
            study = optuna.create_study(direction="maximize", sampler=make(seed))
            study.set_user_attr("seed", seed)
            start = time.perf_counter()
            study.optimize(objective, n_trials=trials)
            seconds.append(time.perf_counter() - start)
            best.append(study.best_value)
            print(f"optuna {name} seed {seed}: best {study.best_value:.4f} in {seconds[-1]:.1f}s", file=sys.stderr, flush=True)
        result[f"{name}_best"] = best
        result[f"{name}_seconds"] = seconds
        synthetic_best = []
        for seed in range(1, synthetic_seeds + 1):
            study = optuna.create_study(direction="maximize", sampler=make(seed))
            study.optimize(lambda t: synthetic(*suggest(t)), n_trials=trials)
            synthetic_best.append(study.best_value)
        result[f"synthetic_{name}"] = synthetic_best
    print(json.dumps(result))


if __name__ == "__main__":
    main()
