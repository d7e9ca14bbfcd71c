"""Exact networks from lists of float weight arrays, and float arrays from exact networks.

The array readers (npz, safetensors, scikit-learn, ONNX) all end with a list of
layers ``(W, b)`` of floats, ``W`` of shape ``(out, in)`` (the PyTorch
``nn.Linear`` convention) and ``b`` of shape ``(out,)``.
:func:`network_from_arrays` checks every shape and that consecutive layers
fit, checks the parameter limit, and only then converts every number to its
exact rational value (:func:`ftcexact.models.floats.exact_matrix`).
:func:`network_to_arrays` goes the other way for the float writers, rounding
every weight correctly to the target type.

Examples
--------
>>> import numpy as np
>>> net = network_from_arrays([("W0", np.array([[1.0], [-1.0]]), "b0", np.array([0.0, 0.5])),
...                            ("W1", np.array([[2.0, 3.0]]), "b1", np.array([0.25]))], "example")
>>> net.widths, net.input_dim, net.output_dim
([2], 1, 1)
>>> [(W.dtype.name, W.shape) for W, b in network_to_arrays(net, "float32")]
[('float32', (2, 1)), ('float32', (1, 2))]
>>> network_from_arrays([("W0", np.ones((2, 3)), "b0", np.ones(3))], "example")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: example: layer 0: b0 has shape (3,) but W0 has 2 rows (shape (2, 3))

References
----------
PyTorch documentation, ``torch.nn.Linear``: ``weight`` has shape
``(out_features, in_features)``, ``y = x W^T + b``.
"""

from __future__ import annotations

from ..network import Network
from .errors import MAX_PARAMETERS, ModelError, check_parameters
from .floats import exact_matrix, exact_values, round_rational

__all__ = ["network_from_arrays", "network_to_arrays", "rounded_network", "rounded_network_from_arrays",
           "check_layer_shapes"]


def check_layer_shapes(layers, where):
    """Check ``[(W name, W, b name, b), ...]`` shapes; returns the parameter count."""
    if not layers:
        raise ModelError(f"{where}: no layers")
    width, count = None, 0
    for l, (wname, W, bname, b) in enumerate(layers):
        ws, bs = tuple(W.shape), tuple(b.shape)
        if len(ws) != 2:
            raise ModelError(f"{where}: layer {l}: {wname} must be a matrix (out, in), got shape {ws}")
        if len(bs) != 1:
            raise ModelError(f"{where}: layer {l}: {bname} must be a vector (out,), got shape {bs}")
        if bs[0] != ws[0]:
            raise ModelError(f"{where}: layer {l}: {bname} has shape {bs} but {wname} has {ws[0]} rows "
                             f"(shape {ws})")
        if ws[0] == 0 or ws[1] == 0:
            raise ModelError(f"{where}: layer {l}: {wname} has an empty shape {ws}")
        if width is not None and ws[1] != width:
            raise ModelError(f"{where}: layer {l}: {wname} has {ws[1]} columns but the previous layer "
                             f"has {width} outputs")
        width = ws[0]
        count += ws[0] * ws[1] + ws[0]
    return count


def network_from_arrays(layers, where, max_parameters=MAX_PARAMETERS):
    """Exact :class:`~ftcexact.network.Network` from ``[(W name, W, b name, b), ...]`` float arrays."""
    check_parameters(check_layer_shapes(layers, where), max_parameters, where)
    return Network(tuple((exact_matrix(W, f"{where}: {wname}"), exact_values(b, f"{where}: {bname}"))
                         for wname, W, bname, b in layers))


def network_to_arrays(net, dtype="float32"):
    """``[(W, b), ...]`` numpy arrays of ``dtype``, every weight correctly rounded from its exact value.

    Raises :class:`ModelError` naming the first weight that overflows.
    """
    import numpy as np
    out = []
    for l, (W, b) in enumerate(net.layers):
        Wf = np.array([[round_rational(v, dtype, f"layer {l} W[{i}][{j}]") for j, v in enumerate(row)]
                       for i, row in enumerate(W)], dtype=np.float64).reshape(len(W), len(W[0]) if W else 0)
        bf = np.array([round_rational(v, dtype, f"layer {l} b[{i}]") for i, v in enumerate(b)], dtype=np.float64)
        out.append((Wf.astype(dtype), bf.astype(dtype)))  # exact: every value is already a dtype float
    return out


def rounded_network_from_arrays(arrays):
    """The exact network of float arrays ``[(W, b), ...]`` (each weight's exact value)."""
    return Network(tuple((exact_matrix(W, f"W{l}"), exact_values(b, f"b{l}")) for l, (W, b) in enumerate(arrays)))


def rounded_network(net, dtype):
    """The network whose weights are the exact values of ``net``'s weights rounded to ``dtype``."""
    return rounded_network_from_arrays(network_to_arrays(net, dtype))
