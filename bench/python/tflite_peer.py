"""The tflite suite's peer: TensorFlow's own TFLiteConverter on the same model, and every file timed in one interpreter.

python tflite_peer.py WORK_DIR reads manifest.json (written by tflite-worker.js), rebuilds the CNN in Keras with the
very same weights (tfjs and Keras store conv kernels [kh, kw, in, out] and dense kernels [in, out] alike), converts it
with TFLiteConverter.from_keras_model to float32 and to full-integer int8 (representative dataset: the same 256
calibration digits; float input and output, as Lepton's), then measures Lepton's two files and TF's two in one
tf.lite.Interpreter process: size, accuracy on the 2,000 test digits, and batch-1 latency on one thread as the median of
1,000 invokes, taken in 10 interleaved rounds of 100 so that a busy moment of the machine hits every file alike.
Prints one JSON line.
"""
import json
import os
import sys
import time

import numpy as np
import tensorflow as tf

work = sys.argv[1]
m = json.load(open(os.path.join(work, "manifest.json")))


def raw(path, shape, dtype=np.float32):
    return np.fromfile(path, dtype=dtype).reshape(shape)


layers = [tf.keras.Input(shape=(28, 28, 1))]
weights = []
for spec in m["layers"]:
    if spec["kind"] == "conv":
        layers.append(tf.keras.layers.Conv2D(spec["units"], 3, activation=spec["activation"]))
    elif spec["kind"] == "pool":
        layers.append(tf.keras.layers.MaxPooling2D(2))
    elif spec["kind"] == "flatten":
        layers.append(tf.keras.layers.Flatten())
    else:
        layers.append(tf.keras.layers.Dense(spec["units"], activation=spec["activation"]))
    weights.append([raw(w["path"], w["shape"]) for w in spec.get("weights", [])])
model = tf.keras.Sequential(layers)
for layer, w in zip(model.layers, weights):
    if w:
        layer.set_weights(w)

calibration = raw(m["calibration"]["path"], (m["calibration"]["rows"], 28, 28, 1))
x_test = raw(m["test"]["x"], (m["test"]["rows"], 28, 28, 1))
y_test = np.fromfile(m["test"]["y"], dtype=np.int32)
keras_accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test))

converter = tf.lite.TFLiteConverter.from_keras_model(model)
tf_fp32 = converter.convert()
converter = tf.lite.TFLiteConverter.from_keras_model(model)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
converter.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(len(calibration)))
converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
tf_int8 = converter.convert()
files = {"lepton-fp32": open(m["files"]["fp32"], "rb").read(), "lepton-int8": open(m["files"]["int8"], "rb").read(), "tf-fp32": tf_fp32, "tf-int8": tf_int8}


def interpreter(content):
    it = tf.lite.Interpreter(model_content=content, num_threads=1)
    return it


def accuracy(content):
    it = interpreter(content)
    d = it.get_input_details()[0]
    it.resize_tensor_input(d["index"], [len(x_test), 28, 28, 1])
    it.allocate_tensors()
    it.set_tensor(d["index"], x_test)
    it.invoke()
    y = it.get_tensor(it.get_output_details()[0]["index"])
    return float(np.mean(np.argmax(y, axis=1) == y_test))


runners = {}
for name, content in files.items():
    it = interpreter(content)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x_test[:1])
    for _ in range(50):
        it.invoke()
    runners[name] = it
times = {name: [] for name in files}
for _ in range(10):
    for name, it in runners.items():
        for _ in range(100):
            t = time.perf_counter()
            it.invoke()
            times[name].append((time.perf_counter() - t) * 1000)

out = {
    "tensorflow": tf.__version__,
    "keras_accuracy": keras_accuracy,
    "files": {
        name: {"bytes": len(content), "accuracy": accuracy(content), "latency_ms": float(np.median(times[name])), "ops": sorted({d["op_name"] for d in interpreter(content)._get_ops_details()})}
        for name, content in files.items()
    },
}
print(json.dumps(out))
