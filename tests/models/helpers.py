"""Shared helpers of the model tests."""

from fractions import Fraction

import numpy as np

from ftcexact.models import ModelError


def random_arrays(widths, seed=0, dtype=np.float32, scale=1.0):
    """``[(W, b), ...]`` float arrays, ``W`` of shape (out, in), for layer widths ``[d, h1, ..., k]``."""
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((b, a)) * scale).astype(dtype), (rng.standard_normal(b) * scale).astype(dtype))
            for a, b in zip(widths, widths[1:])]


def exact_of(arrays):
    """Independent exact values (``Fraction`` of each float) of ``[(W, b), ...]``."""
    return [([[Fraction(float(v)) for v in row] for row in np.asarray(W, dtype=np.float64)],
             [Fraction(float(v)) for v in np.asarray(b, dtype=np.float64)]) for W, b in arrays]


def same_values(net, arrays):
    """The network's weights are exactly the floats' values."""
    want = exact_of(arrays)
    if len(net.layers) != len(want):
        return False
    for (W, b), (Wf, bf) in zip(net.layers, want):
        if [[Fraction(int(v.numerator), int(v.denominator)) for v in row] for row in W] != Wf:
            return False
        if [Fraction(int(v.numerator), int(v.denominator)) for v in b] != bf:
            return False
    return True


def float_forward(arrays, x):
    """float64 forward pass of ``[(W, b), ...]`` on rows of ``x``."""
    h = np.asarray(x, dtype=np.float64)
    for l, (W, b) in enumerate(arrays):
        h = h @ np.asarray(W, dtype=np.float64).T + np.asarray(b, dtype=np.float64)
        if l < len(arrays) - 1:
            h = np.maximum(h, 0)
    return h


def exact_outputs(net, x):
    """Exact outputs at float points, as a float64 array (for comparisons with frameworks)."""
    from ftcexact.network import evaluate
    return np.array([[float(v) for v in row] for row in evaluate(net, np.asarray(x, dtype=np.float64).tolist())])


def only_model_error(fn, *args, **kwargs):
    """Call ``fn``; a ModelError is fine, anything else propagates (the property: no other exception)."""
    try:
        return fn(*args, **kwargs)
    except ModelError as e:
        assert "\n" not in str(e)
        return None
