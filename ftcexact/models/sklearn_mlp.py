"""scikit-learn ``MLPRegressor`` and ``MLPClassifier`` objects with ReLU activations.

Only fitted Python objects are read, from their attributes ``coefs_`` (a list
of ``(in, out)`` matrices, transposed here to ``(out, in)``) and
``intercepts_``; model files are never unpickled (a pickle can run arbitrary
code).  ``activation`` must be ``"relu"``.

Regressors: the network is ``predict`` (the output activation is the
identity).  Classifiers: the network returns the *logits*, the values before
the output activation ``out_activation_`` (softmax for several classes,
logistic for two classes or multi-label).  Softmax preserves the order of
the logits and the logistic function is strictly increasing with value 1/2 at
0, so the predicted class is the arg-max of the logits (several classes) or
``logit > 0`` (two classes, one output): an exact statement about the logits
is an exact statement about the predictions.  The probabilities themselves
are not piecewise linear and are not part of the network.

Examples
--------
>>> import pytest; sk = pytest.importorskip("sklearn.neural_network")
>>> import numpy as np
>>> reg = sk.MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(
...     np.arange(8.0).reshape(-1, 1), np.arange(8.0) % 3)
>>> net = read_sklearn(reg)
>>> net.widths, net.input_dim, net.output_dim
([4], 1, 1)
>>> read_sklearn(sk.MLPRegressor(activation="tanh"))
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: MLPRegressor: activation 'tanh' is not supported (only 'relu')

References
----------
scikit-learn documentation, ``sklearn.neural_network.MLPClassifier`` and
``MLPRegressor`` (attributes ``coefs_``, ``intercepts_``, ``out_activation_``).
"""

from __future__ import annotations

from .arrays import network_from_arrays
from .errors import MAX_PARAMETERS, ModelError

__all__ = ["read_sklearn", "is_sklearn_mlp"]

_CLASSES = ("MLPRegressor", "MLPClassifier")


def is_sklearn_mlp(obj):
    """Whether ``obj`` is a scikit-learn MLP estimator (checked without importing scikit-learn)."""
    return type(obj).__module__.startswith("sklearn.neural_network") and type(obj).__name__ in _CLASSES


def read_sklearn(model, max_parameters=MAX_PARAMETERS):
    """Exact :class:`~ftcexact.network.Network` of a fitted MLP (logits for classifiers)."""
    import numpy as np
    if not is_sklearn_mlp(model):
        raise ModelError(f"not a scikit-learn MLPRegressor or MLPClassifier: {type(model).__name__}")
    kind = type(model).__name__
    activation = getattr(model, "activation", None)
    if activation != "relu":
        raise ModelError(f"{kind}: activation {activation!r} is not supported (only 'relu')")
    coefs, intercepts = getattr(model, "coefs_", None), getattr(model, "intercepts_", None)
    if coefs is None or intercepts is None:
        raise ModelError(f"{kind}: not fitted (no coefs_ / intercepts_)")
    if not isinstance(coefs, (list, tuple)) or not isinstance(intercepts, (list, tuple)) \
            or len(coefs) != len(intercepts) or not coefs:
        raise ModelError(f"{kind}: coefs_ and intercepts_ must be lists of the same positive length")
    layers = []
    for l, (W, b) in enumerate(zip(coefs, intercepts)):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2:
            raise ModelError(f"{kind}: coefs_[{l}] must be a matrix (in, out), got shape {W.shape}")
        layers.append((f"coefs_[{l}]^T", W.T, f"intercepts_[{l}]", b))
    return network_from_arrays(layers, kind, max_parameters)
