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
    """The trusted kernel's exact evaluation of a certificate's ``network`` object at the rational rows ``X``,
    as the verifier does it (``kernel.sweep.Sweep``: the one-direction sweep when every first-layer row reads
    one direction, dense integer products otherwise).

    Returns ``(outputs, layers)``: a list of tuples of exact numbers and the parsed ``(W, b)`` layers (for
    :func:`float_forward`). The rows are cleared to one denominator first, as the verifier's reader does.
    """
    from ftcexact.kernel.data import Block
    from ftcexact.kernel.evaluate import clear_denominators, read_net
    from ftcexact.kernel.sweep import Sweep
    net = read_net(network, d)
    flat, den = clear_denominators([v for row in X for v in row])
    block = Block([None] * len(X), None, exact=([flat[i * d:(i + 1) * d] for i in range(len(X))], den))
    sweep = Sweep(net, lambda line: None)
    values = sweep.values(block)
    return [v[0] for v in values] if sweep.bps is not None else values, net.layers


def write_dataset(ds, folder):
    """Write ``ds`` as JSON in ``folder``; return ``(dataset_path, certificate_path)`` for a run."""
    from ftcexact.dataset import dataset_to_json
    data = os.path.join(folder, "data.json")
    with open(data, "w") as fh:
        json.dump(dataset_to_json(ds), fh)
    return data, os.path.join(folder, "cert.json")
