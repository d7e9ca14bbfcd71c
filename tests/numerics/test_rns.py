"""Residue-number-system products, base extension, signs and reconstruction against Python ints."""

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.numerics import rns


def obj(rows):
    a = np.empty((len(rows), len(rows[0])), dtype=object)
    for i, r in enumerate(rows):
        a[i] = r
    return a


@pytest.mark.parametrize("terms", [1, 7, 50, 784])
def test_prime_limit_invariant(terms):
    B = rns.basis_for(terms)
    for p in B.prime_list(40):
        R = rns.loose_bound(p)
        assert terms * R * R + R <= rns.SAFE
        assert rns._is_prime(p)
    assert B.prime_list(40) == sorted(B.prime_list(40), reverse=True)
    assert len(set(B.prime_list(40))) == 40


def test_count_for_is_least():
    B = rns.basis_for(10)
    for bound in [0, 1, 2 ** 20, 2 ** 100, 3 ** 300]:
        k = B.count_for(bound)
        assert B.product(k) > 4 * bound and (k == 1 or B.product(k - 1) <= 4 * bound)


def test_reduce_is_a_loose_residue_at_the_extremes():
    B = rns.basis_for(3)
    Z = np.array([2.0 ** 52, -2.0 ** 52, 2.0 ** 52 - 1, 0.0, 12345.0, -(2.0 ** 51) - 7])
    k = 6
    R = rns.reduce(np.broadcast_to(Z, (k, len(Z))).copy(), B)
    for i, p in enumerate(B.prime_list(k)):
        assert np.all(np.abs(R[i]) <= rns.loose_bound(p))
        assert [int(r) % p for r in R[i]] == [int(z) % p for z in Z]


@pytest.mark.parametrize("seed", range(12))
def test_matmul_extend_signs_to_ints(seed):
    rnd = random.Random(seed)
    n, N, m = rnd.randint(1, 300), rnd.randint(1, 6), rnd.randint(1, 5)
    bits = rnd.choice([2, 40, 200, 1500])
    H = [[rnd.randint(-2 ** bits, 2 ** bits) for _ in range(n)] for _ in range(N)]
    W = [[rnd.randint(-2 ** bits, 2 ** bits) for _ in range(m)] for _ in range(n)]
    b = [rnd.randint(-2 ** (2 * bits), 2 ** (2 * bits)) for _ in range(m)]
    ref = [[sum(H[i][t] * W[t][j] for t in range(n)) + b[j] for j in range(m)] for i in range(N)]
    B = rns.basis_for(n)
    k = B.count_for(n * 4 ** bits + 4 ** bits)
    kh = B.count_for(2 ** bits)
    Hr = rns.extend(rns.from_ints(obj(H), B, kh), B, k)               # base extension of H
    assert np.all(rns.canonical(Hr, B) == rns.from_ints(obj(H), B, k))
    Z = rns.matmul(Hr, rns.from_ints(obj(W), B, k), B, bias=rns.from_ints(np.array(b, dtype=object), B, k))
    assert rns.to_ints(Z, B).tolist() == ref
    assert rns.signs(Z, B).tolist() == [[(v > 0) - (v < 0) for v in r] for r in ref]
    mask = np.array([[rnd.random() < 0.5 for _ in range(m)] for _ in range(N)])
    Zm = rns.matmul(Hr, rns.from_ints(obj(W), B, k), B, bias=rns.from_ints(np.array(b, dtype=object), B, k),
                    mask=mask)
    assert rns.to_ints(Zm, B).tolist() == [[v if keep else 0 for v, keep in zip(r, mr)] for r, mr in zip(ref, mask)]


def test_signs_of_tiny_values_with_many_primes():
    """Values +-1, 0 and +-(P/4) with a large modulus: float approximations cannot tell them apart."""
    B = rns.basis_for(5)
    k = 30
    P = B.product(k)
    vals = [1, -1, 0, P // 4, -(P // 4), 2, -2, P // 4 - 1]
    H = rns.from_ints(np.array(vals, dtype=object), B, k)
    assert rns.signs(H, B).tolist() == [1, -1, 0, 1, -1, 1, -1, 1]
    assert rns.to_ints(H, B).tolist() == vals
    E = rns.extend(H[:k], B, k + 5)
    assert rns.to_ints(E, B).tolist() == vals


def test_limb_residues():
    B = rns.basis_for(4)
    rng = np.random.default_rng(1)
    L = rng.integers(-2 ** 25, 2 ** 25, (7, 3, 4)).astype(np.float64)
    vals = [[sum(int(L[b, i, j]) << (26 * b) for b in range(7)) for j in range(4)] for i in range(3)]
    R = rns.from_limbs(L, 26, B, 9)
    assert np.all(rns.canonical(R, B) == rns.from_ints(obj(vals), B, 9))


@given(st.lists(st.integers(-2 ** 300, 2 ** 300), min_size=1, max_size=20), st.integers(1, 1000))
def test_round_trip_property(vals, terms):
    B = rns.basis_for(terms)
    k = B.count_for(max(abs(v) for v in vals))
    H = rns.from_ints(np.array(vals, dtype=object), B, k)
    assert [int(v) for v in rns.to_ints(H, B)] == vals
    assert rns.signs(H, B).tolist() == [(v > 0) - (v < 0) for v in vals]


@pytest.mark.parametrize("small", [0, 10 ** 9])
def test_both_reconstruction_paths(monkeypatch, small):
    """Vectorised Garner/words reconstruction and the Python-int CRT agree with Python ints."""
    monkeypatch.setattr(rns, "SMALL", small)
    rnd = random.Random(small)
    vals = [rnd.randint(-2 ** 400, 2 ** 400) for _ in range(300)] + [0, 1, -1]
    B = rns.basis_for(100)
    k = B.count_for(2 ** 400)
    H = rns.from_ints(np.array(vals, dtype=object), B, k)
    assert rns.to_ints(H, B).tolist() == vals
    assert rns.signs(H, B).tolist() == [(v > 0) - (v < 0) for v in vals]
