"""The floating-point filter's error bound holds against exact Fraction arithmetic, also at the edges."""

from fractions import Fraction

import numpy as np
import pytest

from ftcexact.numerics.fpfilter import AffineFilter, decide


def F(x):
    return Fraction(*float(x).as_integer_ratio())


def check(W, b, hf, eh=None, Wexact=None, bexact=None, rho=0.0, eta=0.0, hexact=None):
    flt = AffineFilter(W, b, rho, eta)
    zf, E = flt.apply(hf, eh)
    Wx = Wexact if Wexact is not None else [[F(v) for v in row] for row in W]
    bx = bexact if bexact is not None else [F(v) for v in b]
    hx = hexact if hexact is not None else [[F(v) for v in row] for row in hf]
    pos, und = decide(zf, E)
    for p, hrow in enumerate(hx):
        for i, (wrow, bi) in enumerate(zip(Wx, bx)):
            z = sum((w * h for w, h in zip(wrow, hrow)), Fraction(0)) + bi
            if np.isfinite(zf[p, i]) and np.isfinite(E[p, i]):
                assert abs(F(zf[p, i]) - z) <= F(E[p, i]), (p, i)
            if not und[p, i]:
                assert (z > 0) == bool(pos[p, i]) and z != 0
    return und


@pytest.mark.parametrize("seed", range(6))
def test_bound_on_random_layers(seed):
    rng = np.random.default_rng(seed)
    m, n, N = 4, int(rng.integers(1, 40)), 5
    W = rng.standard_normal((m, n)) * np.exp2(rng.integers(-20, 20, (m, n)))
    b = rng.standard_normal(m)
    h = rng.standard_normal((N, n)) * np.exp2(rng.integers(-20, 20, (N, n)))
    check(W, b, h)


def test_bound_with_input_errors_and_rounded_weights():
    rng = np.random.default_rng(9)
    m, n, N = 3, 6, 4
    Wx = [[Fraction(int(rng.integers(-99, 99)), int(rng.integers(1, 97))) for _ in range(n)] for _ in range(m)]
    bx = [Fraction(int(rng.integers(-99, 99)), 7) for _ in range(m)]
    W = np.array([[float(v) for v in r] for r in Wx])
    b = np.array([float(v) for v in bx])
    hx = [[Fraction(int(rng.integers(-99, 99)), 3) for _ in range(n)] for _ in range(N)]
    hf = np.array([[float(v) for v in r] for r in hx])
    eh = np.abs(hf) * 2.0 ** -52 + 2.0 ** -1074
    check(W, b, hf, eh, Wx, bx, rho=2.0 ** -52, eta=2.0 ** -1074, hexact=hx)


def test_subnormal_products_and_tiny_values():
    tiny = 2.0 ** -1074
    W = np.array([[2.0 ** -600, -(2.0 ** -600), 3.0], [1.0, 1.0, 1.0]])
    b = np.array([0.0, -tiny])
    h = np.array([[2.0 ** -500, 2.0 ** -500 * (1 + 2.0 ** -52), 0.0], [tiny, 0.0, 0.0]])
    und = check(W, b, h)
    assert und[0, 0]            # a product underflows: the filter must not decide it


def test_exact_zero_and_near_ties_stay_undecided():
    W = np.array([[1.0, -1.0], [1.0, -1.0]])
    b = np.array([0.0, 1e-30])
    h = np.array([[0.1, 0.1], [1.0 + 2.0 ** -52, 1.0]])
    und = check(W, b, h)
    assert und[0, 0] and und[0, 1]


def test_overflow_is_never_decided():
    big = 1e308
    W = np.array([[1.0, 1.0, -1.0]])
    b = np.array([0.0])
    h = np.array([[big, big, big]])
    flt = AffineFilter(W, b)
    zf, E = flt.apply(h)
    pos, und = decide(zf, E)
    assert und.all()            # exact value is 1e308 > 0, but fl overflows: undecided, not "positive"
    flt = AffineFilter(np.array([[np.inf]]), np.array([0.0]))
    assert decide(*flt.apply(np.array([[1.0]])))[1].all()


def test_empty_inputs():
    flt = AffineFilter(np.zeros((2, 0)), np.array([1.0, -1.0]))
    zf, E = flt.apply(np.zeros((3, 0)))
    pos, und = decide(zf, E)
    assert pos[:, 0].all() and not pos[:, 1].any() and not und.any()
