"""Hypothesis strategies shared by the test packages."""

from hypothesis import strategies as st

from ftcexact.dataset import Dataset
from ftcexact.kernel.numbers import Q

small = st.builds(lambda p, q: Q(p, q), st.integers(-20, 20), st.integers(1, 6))
nonzero = small.filter(bool)


@st.composite
def datasets(draw, max_K=16, max_d=4, with_f=None):
    """Random rational datasets: any N from 0 to K, T often at the ends and adjacent."""
    d = draw(st.integers(1, max_d))
    K = draw(st.integers(1, max_K))
    xs = draw(st.lists(st.tuples(*[small] * d), min_size=K, max_size=K, unique=True))
    pattern = draw(st.sampled_from(["random", "ends", "adjacent", "all", "none"]))
    if pattern == "random":
        T = set(draw(st.lists(st.integers(1, K), max_size=K)))
    elif pattern == "ends":
        T = {1, K}
    elif pattern == "adjacent":
        s = draw(st.integers(1, K))
        T = set(range(s, min(K, s + draw(st.integers(1, 4))) + 1))
    else:
        T = set(range(1, K + 1)) if pattern == "all" else set()
    repeated = draw(small.filter(bool))
    z = [(draw(st.one_of(nonzero, st.just(repeated))),) if i + 1 in T else (Q(0),) for i in range(K)]
    if with_f is None:
        with_f = draw(st.booleans())
    if not with_f:
        return Dataset(tuple(xs), tuple(z))
    f = [(draw(small),) for _ in range(K)]
    return Dataset(tuple(xs), tuple((a[0] + b[0],) for a, b in zip(z, f)), tuple(f))


@st.composite
def networks(draw, d, max_depth=4, max_width=5, one_direction=False):
    """Random rational ReLU networks with input dimension d."""
    from ftcexact.network import Network
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(0 if l else 1, max_width)) for l in range(depth - 1)] + [draw(st.integers(1, 2))]
    layers, n_in = [], d
    direction = draw(st.tuples(*[small] * d))
    for l, n_out in enumerate(widths):
        if l == 0 and one_direction and depth > 1:
            W = tuple(tuple(alpha * v for v in direction) for alpha in [draw(small) for _ in range(n_out)])
        else:
            W = tuple(tuple(draw(small) for _ in range(n_in)) for _ in range(n_out))
        layers.append((W, tuple(draw(small) for _ in range(n_out))))
        n_in = n_out
    return Network(tuple(layers))
