"""[FTC] Proposition 6.1: L-layer networks from U3 (or U1) blocks with carries."""

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.constructions.deep import deep_network, proposition_6_1_width
from ftcexact.constructions.gadgets import ConstructionError
from ftcexact.dataset import Dataset, random_dataset
from ftcexact.kernel.numbers import Q
from ftcexact.network import evaluate

from ..strategies import datasets
from .test_three_layer import SLOW, verified


@given(datasets(max_K=16, max_d=4), st.integers(3, 10))
def test_deep_fits_with_exactly_l_layers(ds, layers):
    net, info = deep_network(ds, layers)
    assert evaluate(net, ds.x) == list(ds.targets)
    assert net.neurons <= info["bound"]
    if ds.N:
        assert net.depth in (1, layers)


@pytest.mark.parametrize("layers", [3, 4, 5, 6, 9, 12])
def test_deep_certificates(layers):
    ds = random_dataset(d=3, K=120, N=30, seed=layers, with_f=True)
    cert = verified(ds, "deep", layers=layers)
    assert len(cert["network"]) == layers
    P = (layers - 1) // 2
    assert cert["hints"]["parts"] == [30 // P + (1 if k < 30 % P else 0) for k in range(P)]
    printed = Decimal(cert["hints"]["paper_bounds"]["Prop. 6.1 width, as printed"])
    assert cert["hints"]["max_width"] <= printed  # the paper's width bound holds here


def test_deep_with_more_blocks_than_points_of_t():
    ds = random_dataset(d=2, K=30, N=2, seed=1)
    cert = verified(ds, "deep", layers=11)
    assert cert["hints"]["parts"] == [1, 1] and len(cert["network"]) == 11


def test_deep_negative_targets_need_the_sum_shift():
    z = [0, -5, 0, 0, -3, 0, 2, 0, 0, -1, 0]
    ds = Dataset(tuple((Q(i),) for i in range(len(z))), tuple((Q(v),) for v in z))
    cert = verified(ds, "deep", layers=9)
    assert cert["hints"]["sum_shift"] == "5"


def test_deep_refusals():
    ds = random_dataset(d=2, K=10, N=3, seed=0)
    with pytest.raises(ConstructionError, match="L >= 3"):
        deep_network(ds, 2)
    with pytest.raises(ConstructionError, match="L >= 3"):
        deep_network(ds, None)


def test_width_formulas():
    printed, proof = proposition_6_1_width(100, 1000, 5)
    assert Decimal(printed) >= Decimal(proof)  # dividing by sqrt(P) is weaker than dividing by P


@SLOW
@pytest.mark.parametrize("seed", range(4))
def test_deep_larger(seed):
    rng = random.Random(seed)
    K = rng.randint(200, 600)
    ds = random_dataset(d=rng.randint(1, 6), K=K, N=rng.randint(1, K // 3), seed=seed, magnitude=50, denominator=16)
    verified(ds, "deep", layers=rng.randint(4, 12))
