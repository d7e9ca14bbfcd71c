import copy
import io
import json

import pytest

from ftcexact.analysis.lower_bounds import (ftc_figure_3_dataset, ftc_lower_bound_dataset, lower_bound_certificate,
                                            max_pieces, neurons_needed, ysj_theorem_3_3_dataset)
from ftcexact.kernel import verify


def run(cert, tmp_path):
    path = tmp_path / "lb.json"
    path.write_text(json.dumps(cert))
    out, err = io.StringIO(), io.StringIO()
    return verify.run(str(path), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize("arch", ["two-layer", "three-layer", "three-layer-ysj"])
def test_certificates_verify_for_all_small_N_K(tmp_path, arch):
    for K in range(3, 13):
        for N in range(K + 1):
            cert = lower_bound_certificate(ftc_lower_bound_dataset(N, K), arch, "Sohn et al. 2024, Theorem 4.1")
            assert cert["claim"]["min_pieces"] == min(3 * N, K - 2) + 1
            code, out, err = run(cert, tmp_path)
            assert code == 0, out + err


def test_two_layer_bound_is_theorem_4_1():
    for K in range(3, 30):
        for N in range(K + 1):
            p = min(3 * N, K - 2) + 1
            assert neurons_needed("two-layer", p) == min(3 * N, K - 2)


def test_architecture_limit_is_monotone_and_bound_is_least():
    for arch in ("two-layer", "three-layer", "three-layer-ysj"):
        values = [max_pieces(arch, m) for m in range(30)]
        assert values == sorted(values)
        for p in range(1, 60):
            m = neurons_needed(arch, p)
            assert max_pieces(arch, m) >= p and (m == 0 or max_pieces(arch, m - 1) < p)


@pytest.mark.parametrize("mutate, code_expected", [
    (lambda c: c["claim"].__setitem__("bound", c["claim"]["bound"] + 1), 1),  # off by one: does not follow
    (lambda c: c["claim"].__setitem__("min_pieces", c["claim"]["min_pieces"] + 1), 1),
    (lambda c: c["claim"].__setitem__("N", c["claim"]["N"] - 1), 1),
    (lambda c: c["dataset"]["y"].__setitem__(2, "0"), 1),
    (lambda c: c["witness"]["values"].__setitem__(0, "100"), 1),
    (lambda c: c["witness"].__setitem__("left_slope", "12345"), 1),
    (lambda c: c["claim"].__setitem__("architecture", "four-layer"), 2),
    (lambda c: c["witness"].pop("vertices"), 2),
    (lambda c: c["dataset"]["x"].__setitem__(0, ["1", "2"]), 2),
])
def test_lower_bound_mutations_rejected(tmp_path, mutate, code_expected):
    cert = lower_bound_certificate(ftc_lower_bound_dataset(4, 14), "two-layer", "Sohn et al. 2024, Theorem 4.1")
    assert run(cert, tmp_path)[0] == 0
    bad = copy.deepcopy(cert)
    mutate(bad)
    code, out, err = run(bad, tmp_path)
    assert code == code_expected, out + err


def test_weaker_bound_still_verifies(tmp_path):
    """A smaller claimed bound follows too (it is weaker), so it is accepted."""
    cert = lower_bound_certificate(ysj_theorem_3_3_dataset(9), "three-layer", "Yun et al. 2019, Theorem 3.3")
    cert["claim"]["bound"] -= 1
    assert run(cert, tmp_path)[0] == 0


def test_figure_3_dataset_certificate(tmp_path):
    cert = lower_bound_certificate(ftc_figure_3_dataset(4), "two-layer", "Sohn et al. 2024, §4.1 Figure 3")
    assert run(cert, tmp_path)[0] == 0
    assert cert["claim"]["min_pieces"] < cert["claim"]["K"] - 1


def test_the_kernel_checks_the_proven_three_layer_bounds(tmp_path):
    """The kernel's three-layer limit is the proven maximum (docs/theorems/three-layer-pieces.md): every
    proven bound verifies, and one more is rejected."""
    for K in range(3, 13):
        for N in range(K + 1):
            cert = lower_bound_certificate(ftc_lower_bound_dataset(N, K), "three-layer", "test")
            assert cert["claim"]["bound"] == neurons_needed("three-layer", min(3 * N, K - 2) + 1)
            assert run(cert, tmp_path)[0] == 0
            cert["claim"]["bound"] += 1
            assert run(cert, tmp_path)[0] == 1
