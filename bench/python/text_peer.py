"""The text suite's peers on the corpus and split Lepton wrote: scikit-learn's TfidfVectorizer (+ LogisticRegression)
and Keras's TextVectorization, timed on the same texts. Prints one JSON line.

    python text_peer.py corpus.json MAX_TOKENS
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def best_of(n, fn):
    """The shortest of n runs of fn, in seconds, and fn's last result."""
    best, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    corpus = json.load(open(sys.argv[1], encoding="utf-8"))
    max_tokens = int(sys.argv[2])
    texts, labels = corpus["texts"], corpus["labels"]
    train, test = corpus["train"], corpus["test"]
    train_texts = [texts[i] for i in train]
    out = {"docs": len(texts)}
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import f1_score

        def sk():
            vec = TfidfVectorizer(max_features=max_tokens)
            vec.fit(train_texts)
            return vec, vec.transform(texts)

        seconds, (vec, x) = best_of(3, sk)
        out["sklearn_docs_per_s"] = len(texts) / seconds
        clf = LogisticRegression(max_iter=1000).fit(x[train], [labels[i] for i in train])
        out["sklearn_f1"] = f1_score([labels[i] for i in test], clf.predict(x[test]), average="macro")
    except ImportError as error:
        out["sklearn_error"] = str(error)
    try:
        import keras
        import tensorflow as tf

        def ke():
            layer = keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="tf_idf")
            layer.adapt(tf.constant(train_texts))
            return layer(tf.constant(texts)).numpy().shape

        ke()  # the first call builds TensorFlow's graphs
        seconds, _ = best_of(3, ke)
        out["keras_docs_per_s"] = len(texts) / seconds
    except ImportError as error:
        out["keras_error"] = str(error)
    print(json.dumps(out))


main()
