"""pandas, numpy and Keras on the work of `npm run bench -- timeseries`.

usage: timeseries_peer.py data N_ROWS DATA_DIR   write the shared series (N minutes of a noisy daily cycle) and the LSTM windows
       timeseries_peer.py pandas DATA_DIR        time resample('1h').mean() and sliding windows on the series
       timeseries_peer.py keras DATA_DIR         time LSTM(32) → Dense(1) training on the windows
Each prints one JSON line. Timings are best of 3 after a warm-up (training: the epochs after the first).
"""
import json
import os
import sys
import time

import numpy as np

from timing import ms

mode = sys.argv[1]
INPUT, STRIDE = 24, 24  # windows: 24 steps of inputs, the next step as label, one window per 24 rows
LSTM_SAMPLES, LSTM_STEPS, LSTM_EPOCHS, BATCH = 4096, 24, 3, 32


if mode == "data":
    n, out = int(float(sys.argv[2])), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1)
    start = np.datetime64("2000-01-01T00:00", "ms").astype("int64")
    times = start + np.arange(n, dtype="int64") * 60_000
    values = 10 + 5 * np.sin(np.arange(n) * 2 * np.pi / 1440) + rng.normal(0, 1, n)
    times.astype("<f8").tofile(os.path.join(out, "t.f64"))
    values.astype("<f8").tofile(os.path.join(out, "v.f64"))
    # The LSTM's windows: hourly means of the first rows, cut in windows of 24 hours → the next hour.
    hourly = values[: (LSTM_SAMPLES + LSTM_STEPS) * 60].reshape(-1, 60).mean(axis=1)
    hourly = (hourly - hourly.mean()) / hourly.std()
    view = np.lib.stride_tricks.sliding_window_view(hourly, LSTM_STEPS + 1)[:LSTM_SAMPLES]
    view[:, :LSTM_STEPS].astype("<f4").tofile(os.path.join(out, "x.f32"))
    view[:, LSTM_STEPS].astype("<f4").tofile(os.path.join(out, "y.f32"))
    print(json.dumps({"rows": n}))
elif mode == "pandas":
    import pandas as pd
    from numpy.lib.stride_tricks import sliding_window_view

    out = sys.argv[2]
    t = np.fromfile(os.path.join(out, "t.f64"), dtype="<f8")
    v = np.fromfile(os.path.join(out, "v.f64"), dtype="<f8")
    series = pd.Series(v, index=pd.to_datetime(t.astype("int64"), unit="ms"))

    def windows():
        # Materialised as float32 inputs and labels, as Lepton's tensors are (the view alone copies nothing).
        view = sliding_window_view(v, INPUT + 1)[::STRIDE]
        return np.ascontiguousarray(view[:, :INPUT], dtype=np.float32), np.ascontiguousarray(view[:, INPUT], dtype=np.float32)

    hours = series.resample("1h").mean()
    x, _ = windows()
    print(json.dumps({"rows": len(v), "resample_ms": ms(lambda: series.resample("1h").mean()), "windows_ms": ms(windows),
                      "bins": len(hours), "first_mean": float(hours.iloc[0]), "windows": int(x.shape[0])}))
elif mode == "keras":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    out = sys.argv[2]
    x = np.fromfile(os.path.join(out, "x.f32"), dtype="<f4").reshape(LSTM_SAMPLES, LSTM_STEPS, 1)
    y = np.fromfile(os.path.join(out, "y.f32"), dtype="<f4").reshape(LSTM_SAMPLES, 1)
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((LSTM_STEPS, 1)), keras.layers.LSTM(32), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # warm-up: graph tracing
    t = time.perf_counter()
    history = model.fit(x, y, batch_size=BATCH, epochs=LSTM_EPOCHS, verbose=0)
    seconds = time.perf_counter() - t
    print(json.dumps({"samples_per_s": round(LSTM_SAMPLES * LSTM_EPOCHS / seconds, 1), "loss": float(history.history["loss"][-1])}))
