"""Fine-tuning datasets: inputs x_i, labels y_i and frozen-network values f_i.

``T = {i : y_i != f_i}`` (1-based, as in the papers) and the targets of the
fine-tuning network are ``z_i = y_i - f_i`` ([FTC] eq. 3): ``g(x_i) = z_i`` on
T and ``g(x_i) = 0`` elsewhere.  ``f`` defaults to 0.

*Keep markers.*  With a frozen network, a label may be ``None`` ("keep f's
exact value here"): the point is not in T and g must vanish there.  A float
array cannot hold f's exact outputs, so a user writes only the new labels
and marks the rest (NaN in a float array, ``null`` in JSON, ``-1`` with class
labels); :func:`with_frozen` computes f exactly where labels are explicit.

File formats
------------
JSON ``{"x": [[...], ...], "y": [...], "f": [...]}`` with numbers as strings
(``"3/4"``, ``"-2"``, ``"0.125"``).  JSON number literals are read from their
source text, so ``0.1`` means exactly 1/10; ``NaN`` and ``Infinity`` are
refused; ``null`` is a keep marker.  A 1-D input may be written as a scalar,
and labels may be vectors.

CSV with a header naming the columns ``x1..xd``, ``y`` (or ``y1..yk``) and
optionally ``f`` (or ``f1..fk``); cells are decimal or ``p/q`` strings.

NumPy ``.npz`` with arrays ``x`` (K or K x d), ``y`` and optionally ``f``, in
float32/float64/integer types, converted exactly (a float is an integer
times a power of two); NaN in ``y`` is a keep marker.  With ``classes=C``
the labels are integers ``0..C-1`` (``-1``: keep) read as one-hot vectors.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from itertools import chain, repeat
from math import lcm
from operator import attrgetter, mul

from .kernel.numbers import MAX_DIGITS, Q, RationalError, as_rational, format_rational, parse_rationals

__all__ = ["Dataset", "ArrayDataset", "DatasetError", "load_dataset", "dataset_from_json", "dataset_to_json",
           "dataset_from_csv", "dataset_from_arrays", "random_dataset", "read_json_text", "with_frozen", "one_hot",
           "IntegerRows", "integer_rows"]


class DatasetError(ValueError):
    """A dataset that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Dataset:
    """Points ``x`` (tuples of Q), labels ``y`` and optional ``f`` (tuples of Q).

    Examples
    --------
    >>> ds = dataset_from_json({"x": ["0", "1", "2"], "y": ["0", "1/2", "0"]})
    >>> ds.K, ds.d, ds.N, ds.T
    (3, 1, 1, [2])
    """

    x: tuple
    y: tuple
    f: tuple | None = None

    def __post_init__(self):
        if not self.x:
            raise DatasetError("the dataset has no points")
        if len(self.y) != len(self.x) or (self.f is not None and len(self.f) != len(self.x)):
            raise DatasetError(f"x has {len(self.x)} entries but y or f has a different number")
        if all(v is None for v in self.y):
            raise DatasetError("every label is a keep marker: there is nothing to fine-tune")
        d, dy = len(self.x[0]), self.dy
        if d == 0 or dy == 0:
            raise DatasetError("inputs and labels need at least one coordinate")
        for name, rows, n in (("x", self.x, d), ("y", self.y, dy), ("f", self.f or (), dy)):
            for i, row in enumerate(rows):
                if row is not None and len(row) != n:
                    raise DatasetError(f"dimension mismatch: {name}[{i + 1}] has {len(row)} coordinates, "
                                       f"{name}[1] has {n}")
        if self.f is not None and any(y is not None and f is None for y, f in zip(self.y, self.f)):
            raise DatasetError("f is missing at a point with an explicit label")
        # equal points are equal integer rows over one denominator: hashing ints is far cheaper than hashing
        # rationals (a hash of Q reduces p/q modulo a prime), and the projection search reuses the rows
        cleared = integer_rows(self.x, MAX_CLEARED_DENOMINATOR_BITS)
        first, targets = {}, None
        for i, key in enumerate(self.x if cleared is None else cleared.rows):
            j = first.setdefault(key, i)
            if j != i:
                targets = targets or self.targets
                if self.y[i] != self.y[j] or targets[i] != targets[j]:
                    raise DatasetError(f"duplicate input: x_{j + 1} = x_{i + 1} but their targets differ "
                                       f"({_show(targets[j])} vs {_show(targets[i])})")

    @property
    def K(self):
        return len(self.x)

    @property
    def d(self):
        return len(self.x[0])

    @property
    def dy(self):
        return len(next(v for v in self.y if v is not None))

    @property
    def keeps(self):
        """Number of keep markers (labels that keep the frozen network's value)."""
        return sum(1 for v in self.y if v is None)

    @property
    def targets(self):
        """``z_i = y_i - f_i`` (tuples); zero where the label keeps f's value."""
        zero = (Q(0),) * self.dy
        if self.f is None:
            return tuple(zero if y is None else y for y in self.y)
        return tuple(zero if y is None else tuple(a - b for a, b in zip(y, f)) for y, f in zip(self.y, self.f))

    @property
    def T(self):
        """Indices (1-based) of the points whose label changed."""
        return [i + 1 for i, z in enumerate(self.targets) if any(z)]

    @property
    def N(self):
        return len(self.T)


class IntegerRows:
    """Points cleared to one denominator: ``x_i = rows[i] / den`` exactly (``rows``: tuples of Python ints).

    Equal points have equal rows, so the rows serve as cheap exact keys, and
    integer products ``a . rows[i]`` give exact projections.
    """

    def __init__(self, rows, den):
        self.rows, self.den = rows, den


#: Denominators of data points whose bit lengths total more than this are not cleared by the duplicate check
#: (their lcm could be astronomically large); such points are compared as rationals there.
MAX_CLEARED_DENOMINATOR_BITS = 4096


def integer_rows(points, max_bits=None):
    """:class:`IntegerRows` of a sequence of points (tuples of exact numbers), or None when the distinct
    denominators take more than ``max_bits`` bits in all (no cap by default).

    The answer for the last tuple of tuples is kept: constructing a dataset clears its points and the
    projection search reads them again.

    Examples
    --------
    >>> r = integer_rows(((Q(1, 2), Q(3)), (Q(-1, 3), Q(0))))
    >>> r.rows, r.den
    ([(3, 18), (-2, 0)], 6)
    """
    last = _LAST_ROWS[0]
    if last is not None and last[0] is points:
        return last[1]
    dens = set(map(_denominator, chain.from_iterable(points)))
    if max_bits is not None and sum(int(q).bit_length() for q in dens) > max_bits:
        return None
    den = lcm(1, *map(int, dens))
    scale = Q(den)
    out = IntegerRows([tuple(map(int, map(mul, p, repeat(scale)))) for p in points], den)
    if type(points) is tuple and all(type(p) is tuple for p in points):  # immutable: safe to remember by identity
        _LAST_ROWS[0] = (points, out)
    return out


_denominator = attrgetter("denominator")
#: The last points cleared and their rows (one entry: no growth, and the reference keeps their id unique).
_LAST_ROWS = [None]


class ArrayDataset:
    """A dataset whose inputs stay a NumPy array: for K in the millions, never a rational per entry.

    The inputs are a float or integer array (exact: every float is a dyadic
    rational); labels and f-values are exact tuples (a zero label is one
    shared tuple).  Constructions read the data only through
    :meth:`project` (an exact projection ``t = a . x`` with a well-conditioned
    ``a``: :func:`ftcexact.constructions.projection.choose_array_direction`),
    :meth:`projections` and :meth:`rows`; there is no ``x`` attribute, so code
    that would expand every input into rationals fails loudly instead.

    Examples
    --------
    >>> import numpy as np
    >>> ds = ArrayDataset(np.array([[0.5, 1.0], [1.5, -2.0], [0.0, 0.25]], dtype=np.float32),
    ...                   ((Q(0),), (Q(3, 4),), (Q(0),)))
    >>> ds.K, ds.d, ds.T, [str(v) for v in ds.rows([1])[0]]
    (3, 2, [2], ['3/2', '-2'])
    """

    def __init__(self, array, y, f=None):
        import numpy as np
        self.array = np.asarray(array)
        if self.array.ndim == 1:
            self.array = self.array.reshape(-1, 1)
        if self.array.ndim != 2 or not len(self.array) or self.array.shape[1] == 0:
            raise DatasetError(f"x must be a non-empty K x d array, got shape {self.array.shape}")
        if self.array.dtype.kind not in "fiu":
            raise DatasetError(f"x must hold floats or integers, not {self.array.dtype}")
        if self.array.dtype.kind == "f" and not np.isfinite(self.array).all():
            i, j = (int(v[0]) for v in np.nonzero(~np.isfinite(self.array)))
            raise DatasetError(f"x[{i + 1}][{j + 1}] is not a finite number")
        self.y, self.f = tuple(y), None if f is None else tuple(f)
        if len(self.y) != len(self.array) or (self.f is not None and len(self.f) != len(self.y)):
            raise DatasetError(f"x has {len(self.array)} rows but y or f has a different number")
        if all(v is None for v in self.y):
            raise DatasetError("every label is a keep marker: there is nothing to fine-tune")
        self._projection = None

    K = property(lambda self: len(self.array))
    d = property(lambda self: self.array.shape[1])
    dy = Dataset.dy
    keeps = Dataset.keeps
    targets = Dataset.targets
    T = Dataset.T
    N = Dataset.N

    def rows(self, indices):
        """The exact inputs (tuples of Q) of the given 0-based rows."""
        return [tuple(as_rational(v) for v in self.array[i].tolist()) for i in indices]

    def projections(self, direction):
        """Exact ``a . x_i`` for every row (Q)."""
        from .numerics import project_exact
        num, den = project_exact(self.array, direction)
        return [Q(int(v), den) for v in num.tolist()]

    def project(self):
        """``(a, t)``: the construction's direction and the exact projections (cached per fixed direction)."""
        from .constructions.projection import _FIXED, choose_array_direction
        key = _FIXED.get()
        if self._projection is None or self._projection[0] != key:
            a, t, numerators = choose_array_direction(self.array, self.targets)
            self._projection = (key, (a, t), numerators)
        return self._projection[1]

    def sorted_order(self):
        """The 0-based rows in increasing order of the projection (stable), by an integer sort."""
        import numpy as np
        self.project()
        numerators = self._projection[2]
        if numerators.dtype == object:
            return sorted(range(self.K), key=self._projection[1][1].__getitem__)
        return np.argsort(numerators, kind="stable").tolist()

    def with_f(self, f):
        out = ArrayDataset.__new__(ArrayDataset)
        out.array, out.y, out.f, out._projection = self.array, self.y, tuple(f), self._projection
        return out


def one_hot(label, classes):
    """The one-hot vector of an integer class label (``-1``: None, a keep marker).

    Examples
    --------
    >>> [str(v) for v in one_hot(2, 4)], one_hot(-1, 4)
    (['0', '0', '1', '0'], None)
    """
    if label == -1:
        return None
    if not 0 <= label < classes:
        raise DatasetError(f"class label {label} is not in 0..{classes - 1} (or -1 to keep f's value)")
    return tuple(Q(1) if j == label else Q(0) for j in range(classes))


def with_frozen(ds, f_net, evaluate=None):
    """``ds`` with the frozen network's exact values ``f(x_i)`` at every explicit label.

    Points whose label keeps f's value get ``f = None`` (their target is 0
    and f is not needed there).

    Examples
    --------
    >>> from ftcexact.network import Network
    >>> f = Network.from_lists([([[2]], [1])])            # f(x) = 2x + 1
    >>> ds = with_frozen(Dataset(((Q(0),), (Q(1),)), (None, (Q(5),))), f)
    >>> [None if z is None else str(z[0]) for z in ds.f], ds.T, [str(z[0]) for z in ds.targets]
    ([None, '3'], [2], ['0', '2'])
    """
    if evaluate is None:
        from .network import evaluate
    if f_net.input_dim not in (None, ds.d) or f_net.output_dim != ds.dy:
        raise DatasetError(f"the frozen network maps {f_net.input_dim} -> {f_net.output_dim} but the data have "
                           f"d = {ds.d} and {ds.dy} label coordinate(s)")
    explicit = [i for i, y in enumerate(ds.y) if y is not None]
    inputs = ds.array[explicit] if isinstance(ds, ArrayDataset) else [ds.x[i] for i in explicit]
    values = iter(evaluate(f_net, inputs))
    f = [None] * ds.K
    for i in explicit:
        f[i] = tuple(next(values))
    return ds.with_f(f) if isinstance(ds, ArrayDataset) else Dataset(ds.x, ds.y, tuple(f))


def _show(v):
    return format_rational(v[0]) if len(v) == 1 else "(" + ", ".join(map(format_rational, v)) + ")"


def _vector(item, where):
    items = item if isinstance(item, list) else [item]
    try:
        return parse_rationals(items, MAX_DIGITS)
    except RationalError:  # not all canonical strings: convert one by one, naming the culprit
        pass
    out = []
    for j, v in enumerate(items):
        if isinstance(v, (list, dict)) or v is None:
            raise DatasetError(f"{where}: expected a number, got {type(v).__name__}")
        try:
            out.append(as_rational(v, MAX_DIGITS))
        except RationalError as e:
            raise DatasetError(f"{where}[{j}]: {e}") from None
    return tuple(out)


#: Numbers per parse_rationals call when reading a JSON dataset: one call per row costs about a quarter more at
#: d = 64 (the call, its regular-expression match and its tuple are per call, not per number).
NUMBERS_PER_CALL = 1024


def _vectors(items, where, keep=False):
    """``[_vector(v) for v in items]`` (``None`` stays ``None`` with ``keep``), parsing several rows per call.

    A block of rows is flattened and parsed in one :func:`parse_rationals` call, then cut back into rows of
    their own lengths; a block that does not parse (a bad entry, a nested list) is parsed row by row by
    :func:`_vector`, which names the culprit.
    """
    first = items[0] if items else None
    step = max(1, NUMBERS_PER_CALL // (len(first) if type(first) is list and first else 1))
    out = []
    for start in range(0, len(items), step):
        chunk = items[start:start + step]
        rows = [v if type(v) is list else [v] for v in chunk]
        if not (keep and any(v is None for v in chunk)):
            try:
                flat = parse_rationals(list(chain.from_iterable(rows)), MAX_DIGITS)
            except RationalError:
                flat = None
            if flat is not None:
                end = 0
                for row in rows:
                    begin, end = end, end + len(row)
                    out.append(flat[begin:end])
                continue
        out.extend(None if keep and v is None else _vector(v, f"{where}[{start + k + 1}]")
                   for k, v in enumerate(chunk))
    return tuple(out)


def dataset_from_json(obj, classes=None):
    """Dataset from the parsed JSON object (numbers as strings or numbers; ``null`` labels keep f)."""
    if not isinstance(obj, dict):
        raise DatasetError("a dataset must be a JSON object with keys x, y (and optionally f)")
    unknown = set(obj) - {"x", "y", "f", "name", "comment"}
    if unknown:
        raise DatasetError(f"unknown dataset keys: {', '.join(sorted(unknown))}")
    for key in ("x", "y"):
        if not isinstance(obj.get(key), list):
            raise DatasetError(f"dataset.{key} must be a list")
    if obj.get("f") is not None and not isinstance(obj["f"], list):
        raise DatasetError("dataset.f must be a list")
    x = _vectors(obj["x"], "x")
    if classes:
        y = tuple(one_hot(_label(v, f"y[{i + 1}]"), classes) for i, v in enumerate(obj["y"]))
    else:
        y = _vectors(obj["y"], "y", keep=True)
    f = None if obj.get("f") is None else _vectors(obj["f"], "f")
    return Dataset(x, y, f)


def _label(v, where):
    try:
        if isinstance(v, bool) or not float(v).is_integer():
            raise ValueError
        return int(float(v)) if abs(float(v)) < 2**53 else int(v)
    except (TypeError, ValueError):
        raise DatasetError(f"{where}: expected an integer class label, got {str(v)[:20]!r}") from None


def dataset_to_json(ds, with_f=True):
    """Plain JSON object with ``"p/q"`` strings; scalars where d or d_y is 1; ``null`` for keep markers."""
    def enc(v):
        if v is None:
            return None
        return format_rational(v[0]) if len(v) == 1 else [format_rational(a) for a in v]
    out = {"x": [[format_rational(a) for a in xi] for xi in ds.x], "y": [enc(v) for v in ds.y]}
    if ds.f is not None and with_f:
        out["f"] = [enc(v) for v in ds.f]
    return out


def dataset_from_arrays(x, y, f=None, classes=None):
    """Dataset from NumPy arrays or nested lists, converted exactly.

    Float arrays are converted to their exact dyadic values; NaN in a float
    ``y`` is a keep marker; with ``classes`` the labels are integers
    (``-1``: keep) read as one-hot vectors.

    Examples
    --------
    >>> import numpy as np
    >>> ds = dataset_from_arrays(np.array([[0.5], [1.0]], dtype=np.float32), np.array([np.nan, 0.1]))
    >>> ds.y[0], ds.y[1][0] == Q(3602879701896397, 36028797018963968), ds.K
    (None, True, 2)
    """
    import numpy as np
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2 or y.ndim not in (1, 2) or len(x) != len(y):
        raise DatasetError(f"x must be K or K x d and y K or K x d_y with the same K, got shapes {x.shape} "
                           f"and {y.shape}")
    X = tuple(tuple(_exact(v, "x") for v in row) for row in x.tolist())
    if classes:
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) and not np.all(np.mod(y, 1) == 0):
            raise DatasetError("with classes, y must hold integer class labels")
        Y = tuple(one_hot(int(v), classes) for v in y.tolist())
    else:
        rows = y.reshape(len(y), -1).tolist()
        Y = tuple(None if all(_isnan(v) for v in row) else tuple(_exact(v, "y") for v in row) for row in rows)
    F = None
    if f is not None:
        f = np.asarray(f)
        F = tuple(tuple(_exact(v, "f") for v in row) for row in f.reshape(len(f), -1).tolist())
    return Dataset(X, Y, F)


def _isnan(v):
    return isinstance(v, float) and v != v


def _exact(v, name):
    try:
        return as_rational(v)
    except RationalError as e:
        raise DatasetError(f"{name}: {e}") from None


def _array_labels(y, classes):
    """Exact label tuples from a NumPy array: one shared zero tuple, NaN rows as keep markers."""
    import numpy as np
    if classes:
        if y.ndim != 1 or not (np.issubdtype(y.dtype, np.integer) or np.all(np.mod(y, 1) == 0)):
            raise DatasetError("with classes, y must hold integer class labels")
        return tuple(one_hot(int(v), classes) for v in y.tolist())
    rows = y.reshape(len(y), -1)
    zero = (Q(0),) * rows.shape[1]
    nan = np.isnan(rows).all(axis=1) if rows.dtype.kind == "f" else np.zeros(len(rows), bool)
    if rows.dtype.kind == "f" and (np.isnan(rows).any(axis=1) & ~nan).any():
        raise DatasetError("a label row is partly NaN (NaN marks a whole label as 'keep f')")
    if rows.dtype.kind == "f" and np.isinf(rows).any():
        raise DatasetError("a label is infinite")
    nonzero = np.nonzero(~nan & (rows != 0).any(axis=1))[0]
    out = [zero] * len(rows)
    for i in np.nonzero(nan)[0].tolist():
        out[i] = None
    for i in nonzero.tolist():
        out[i] = tuple(_exact(v, "y") for v in rows[i].tolist())
    return tuple(out)


def load_npz(path, classes=None, arrays=False):
    """Read an ``.npz`` dataset (arrays ``x``, ``y``, optionally ``f``) exactly.

    With ``arrays`` the inputs stay a NumPy array (:class:`ArrayDataset`, for large K)."""
    import numpy as np
    try:
        with np.load(path, allow_pickle=False) as data:
            if "x" not in data or "y" not in data:
                raise DatasetError(f"{path}: an .npz dataset needs arrays 'x' and 'y' (found: {', '.join(data)})")
            found = {k: data[k] for k in ("x", "y", "f") if k in data}
    except (OSError, ValueError, EOFError) as e:
        raise DatasetError(f"{path}: not a readable .npz archive ({str(e)[:80]})") from None
    if arrays:
        f = found.get("f")
        F = None if f is None else tuple(tuple(_exact(v, "f") for v in row)
                                         for row in f.reshape(len(f), -1).tolist())
        return ArrayDataset(found["x"], _array_labels(found["y"], classes), F)
    return dataset_from_arrays(found["x"], found["y"], found.get("f"), classes)


def read_json_text(text, source="input"):
    """Parse JSON keeping number literals as their exact source text."""
    def no_constant(name):
        raise DatasetError(f"{source}: {name} is not a number")
    try:
        return json.loads(text, parse_float=str, parse_int=str, parse_constant=no_constant)
    except (ValueError, RecursionError) as e:
        if isinstance(e, DatasetError):
            raise
        raise DatasetError(f"{source}: not valid JSON ({e})") from None


def dataset_from_csv(text, source="input"):
    """Dataset from CSV text with a header ``x1,...,xd,y[,f]``."""
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise DatasetError(f"{source}: a CSV dataset needs a header and at least one row")
    header = [h.strip().lower() for h in rows[0]]
    cols = {kind: [j for j, h in enumerate(header) if h.rstrip("0123456789") == kind] for kind in "xyf"}
    if not cols["x"] or not cols["y"] or len(cols["x"]) + len(cols["y"]) + len(cols["f"]) != len(header):
        raise DatasetError(f"{source}: CSV header must name columns x1..xd, y (or y1..yk) and optionally f")
    obj = {key: [] for key in "xyf" if cols[key]}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DatasetError(f"{source}: line {n} has {len(row)} cells, the header has {len(header)}")
        for key in obj:
            obj[key].append([row[j].strip() for j in cols[key]])
    return dataset_from_json(obj)


def load_dataset(path, classes=None, arrays=False):
    """Read a JSON, CSV or ``.npz`` dataset file (by extension); ``classes``: integer labels as one-hot.

    With ``arrays`` an ``.npz`` file's inputs stay a NumPy array (:class:`ArrayDataset`)."""
    if str(path).lower().endswith(".npz"):
        return load_npz(path, classes, arrays)
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"cannot read dataset {path}: {getattr(e, 'strerror', None) or e}") from None
    if str(path).lower().endswith(".csv"):
        if classes:
            raise DatasetError("--classes applies to JSON and .npz datasets")
        return dataset_from_csv(text, str(path))
    return dataset_from_json(read_json_text(text, str(path)), classes)


def random_dataset(d, K, N, seed=0, denominator=8, magnitude=4, with_f=False, T=None):
    """A seeded random rational dataset with exactly N changed labels.

    Inputs are distinct points with coordinates ``p/q``, ``|p/q| <= magnitude``,
    ``q <= denominator``; targets on T are nonzero rationals of the same kind.
    With ``with_f`` the frozen values f are random too and ``y = f + z``.

    Examples
    --------
    >>> ds = random_dataset(d=3, K=10, N=4, seed=1)
    >>> (ds.K, ds.d, ds.N) == (10, 3, 4)
    True
    """
    if not 0 <= N <= K or K < 1 or d < 1:
        raise DatasetError(f"need d >= 1 and 0 <= N <= K, got d={d}, K={K}, N={N}")
    rng = random.Random(seed)

    def rational(nonzero=False):
        while True:
            q = rng.randint(1, denominator)
            v = Q(rng.randint(-magnitude * q, magnitude * q), q)
            if v or not nonzero:
                return v
    xs, seen, tries = [], set(), 0
    while len(xs) < K:
        tries += 1
        if tries > 50 * K + 1000:
            raise DatasetError(f"cannot draw {K} distinct points in dimension {d}; "
                               "raise magnitude or denominator")
        p = tuple(rational() for _ in range(d))
        if p not in seen:
            seen.add(p)
            xs.append(p)
    T = sorted(rng.sample(range(1, K + 1), N)) if T is None else sorted(T)
    z = [(rational(nonzero=True),) if i + 1 in T else (Q(0),) for i in range(K)]
    if not with_f:
        return Dataset(tuple(xs), tuple(z))
    f = [(rational(),) for _ in range(K)]
    return Dataset(tuple(xs), tuple((a[0] + b[0],) for a, b in zip(z, f)), tuple(f))
