"""Peers of the images bench on the same folder: Keras's image_dataset_from_directory iterated once, PyTorch's
DataLoader(num_workers=2) over a Pillow-reading Dataset, and Keras training the 32x32x3 CIFAR CNN.
Usage: images_peer.py keras_load|torch_load DIR  |  images_peer.py keras_train DIR N
Prints one JSON line with the figures."""
import json
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def keras_load(folder):
    import keras
    start = time.perf_counter()
    ds = keras.utils.image_dataset_from_directory(folder, image_size=(32, 32), batch_size=64, shuffle=True, seed=1, verbose=False)
    n = 0
    for x, _ in ds:
        n += int(x.shape[0])
    seconds = time.perf_counter() - start
    return {"images": n, "seconds": seconds, "images_per_s": n / seconds, "peak_rss_mb": peak_mb()}


def torch_load(folder):
    import numpy as np
    import torch
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset

    class Folder(Dataset):
        def __init__(self, root):
            self.classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
            self.items = [(os.path.join(root, c, f), i) for i, c in enumerate(self.classes) for f in sorted(os.listdir(os.path.join(root, c)))]

        def __len__(self):
            return len(self.items)

        def __getitem__(self, i):
            path, label = self.items[i]
            with Image.open(path) as im:
                im = im.convert("RGB").resize((32, 32), Image.BILINEAR)
                x = torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0).permute(2, 0, 1)
            return x, label

    start = time.perf_counter()
    loader = DataLoader(Folder(folder), batch_size=64, shuffle=True, num_workers=2)
    n = 0
    for x, _ in loader:
        n += int(x.shape[0])
    seconds = time.perf_counter() - start
    return {"images": n, "seconds": seconds, "images_per_s": n / seconds, "peak_rss_mb": peak_mb()}


def keras_train(folder, count):
    import keras
    from keras import layers
    ds = keras.utils.image_dataset_from_directory(folder, image_size=(32, 32), batch_size=64, shuffle=True, seed=1, verbose=False)
    ds = ds.take(count // 64).map(lambda x, y: (x / 255.0, y)).cache()
    for _ in ds:
        pass
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ds, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(ds, epochs=2, verbose=0)
    seconds = time.perf_counter() - start
    samples = 2 * (count // 64) * 64
    return {"samples": samples, "seconds": seconds, "samples_per_s": samples / seconds}


if __name__ == "__main__":
    mode, folder = sys.argv[1], sys.argv[2]
    if mode == "keras_load":
        out = keras_load(folder)
    elif mode == "torch_load":
        out = torch_load(folder)
    elif mode == "keras_train":
        out = keras_train(folder, int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))
