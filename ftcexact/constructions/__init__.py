"""Constructions: untrusted producers of fine-tuning networks, one module per paper section.

Each entry of :data:`CONSTRUCTIONS` maps a name (as used by
``ftcexact certify --construction NAME``) to a function ``build(ds, **options)``
(options such as ``layers`` come from the command line) that returns
``(network, info)``; ``info`` carries the paper statement, the bound
the verifier checks and hints for humans.  :func:`certify` turns that into a
certificate.  Only :mod:`ftcexact.kernel.verify` decides whether it holds.
"""

from __future__ import annotations

from ..certificate import make_certificate
from .two_layer import oriented_fit, two_layer_fit
from .two_layer_tight import tight_fit

__all__ = ["CONSTRUCTIONS", "certify"]


def _two_layer(ds, **options):
    net, info = two_layer_fit(ds, keep="kept")
    return net, dict(info, statement="Sohn et al. 2024, Theorem 4.4 (with Lemma 4.5)")


def _two_layer_all(ds, **options):
    net, info = two_layer_fit(ds, keep="all")
    return net, dict(info, statement="Sohn et al. 2024, Lemma 4.5 on all K points (baseline, Remark 2)")


def _two_layer_oriented(ds, **options):
    net, info = oriented_fit(ds)
    return net, dict(info, statement="Theorem 4.4 with kink orientations chosen (ours; docs/search.md §7): "
                                     "|J| - 2 neurons when two consecutive kept targets are equal")


def _two_layer_tight(ds, **options):
    net, info = tight_fit(ds)
    return net, dict(info, statement="min{3N, K-2} neurons for every dataset with K >= 5 (ours; "
                                     "docs/theorems/two-layer-capacity.md): a kink pair of opposite orientations "
                                     "in gap 3 and a right-facing kink in gap 1 when 5 <= K <= 2N + 1, "
                                     "two-layer-oriented otherwise")


CONSTRUCTIONS = {"two-layer": _two_layer, "two-layer-all": _two_layer_all, "two-layer-oriented": _two_layer_oriented,
                 "two-layer-tight": _two_layer_tight}


def _register_deeper():
    """Three-layer and deeper constructions (issue 4): [FTC] §5, Appendix A, §6 and [YSJ] §3."""
    from .deep import deep_network
    from .three_layer import (three_layer_4n4, three_layer_best, three_layer_u1, three_layer_u2,
                              three_layer_u3, three_layer_u3_t)
    from .ysj import ysj_classifier, ysj_deep, ysj_memorizer

    def layers_only(build):
        return lambda ds, layers=None, **options: build(ds, layers)

    def plain(build):
        return lambda ds, **options: build(ds)

    CONSTRUCTIONS.update({
        "three-layer-u1": plain(three_layer_u1), "three-layer-u2": plain(three_layer_u2),
        "three-layer-u3": plain(three_layer_u3), "three-layer-4n4": plain(three_layer_4n4),
        "three-layer-u3-t": plain(three_layer_u3_t),
        "three-layer-best": plain(three_layer_best), "deep": layers_only(deep_network),
        "ysj-memorizer": plain(ysj_memorizer), "ysj-classifier": plain(ysj_classifier),
        "ysj-deep": layers_only(ysj_deep),
    })


_register_deeper()


def certify(ds, construction="two-layer", dataset_ref=None, **options):
    """Build the named construction on ``ds`` and return its certificate (a dict).

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> cert = certify(random_dataset(d=2, K=8, N=3, seed=0))
    >>> cert["claim"]["neurons"] <= cert["claim"]["bound"] <= 3 * 3 + 1
    True
    """
    if construction not in CONSTRUCTIONS:
        raise ValueError(f"unknown construction {construction!r}; choose from {', '.join(CONSTRUCTIONS)}")
    net, info = CONSTRUCTIONS[construction](ds, **options)
    hints = {k: v for k, v in info.items() if k not in ("statement", "bound", "paper_bounds")}
    return make_certificate(ds, net, construction=construction, statement=info["statement"],
                            bound=info["bound"], paper_bounds=info.get("paper_bounds"), hints=hints,
                            dataset_ref=dataset_ref)
