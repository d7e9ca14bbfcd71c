"""Shared by the benchmark scripts: the float64 baseline and the on-disk dataset they certify from."""

import json
import os
import time

import numpy as np


def float_forward(layers, X, repeat=3):
    """Best-of-``repeat`` time of ``W_L relu(... relu(W_1 X^T + b_1))`` in float64, and its output."""
    Ws = [np.array([[float(v) for v in row] for row in W], dtype=np.float64).reshape(len(W), -1) for W, _ in layers]
    bs = [np.array([float(v) for v in b], dtype=np.float64) for _, b in layers]
    Xf = np.array([[float(v) for v in x] for x in X], dtype=np.float64)
    best, h = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        h = Xf.T
        for l, (W, b) in enumerate(zip(Ws, bs)):
            h = W @ h + b[:, None]
            if l < len(Ws) - 1:
                h = np.maximum(h, 0.0)
        best = min(best, time.perf_counter() - start)
    return best, h


def kernel_evaluate(network, d, X):
    """The trusted kernel's exact evaluation of a certificate's ``network`` object at the rational rows ``X``.

    Returns ``(outputs, layers)``: a list of tuples of exact numbers and the parsed ``(W, b)`` layers (for
    :func:`float_forward`). The rows are cleared to one denominator first, as the verifier does.
    """
    from math import lcm

    from ftcexact.kernel.evaluate import evaluate_dense, read_net
    net = read_net(network, d)
    den = 1
    for row in X:
        for v in row:
            den = lcm(den, int(v.denominator))
    rows = [[int(v * den) for v in row] for row in X]
    return evaluate_dense(net, rows, den), net.layers


def write_dataset(ds, folder):
    """Write ``ds`` as JSON in ``folder``; return ``(dataset_path, certificate_path)`` for a run."""
    from ftcexact.dataset import dataset_to_json
    data = os.path.join(folder, "data.json")
    with open(data, "w") as fh:
        json.dump(dataset_to_json(ds), fh)
    return data, os.path.join(folder, "cert.json")
