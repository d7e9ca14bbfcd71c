"""Constructions: untrusted producers of fine-tuning networks, one module per paper section.

Each entry of :data:`CONSTRUCTIONS` maps a name (as used by
``ftcexact certify --construction NAME``) to a function ``build(ds, **options)``
(options such as ``layers`` come from the command line) that returns
``(network, info)``; ``info`` carries the construction's own neuron count
(``bound``, its recipe) and hints for humans.  :data:`STATEMENT` names the
statement of the kernel's claim registry each construction instantiates (or
several, tried in order: the first the instance meets is claimed);
:func:`certify` turns all that into a certificate.  Only
:mod:`ftcexact.kernel.verify` decides whether it holds, recomputing the
statement's bound itself.
"""

from __future__ import annotations

from ..certificate import make_certificate, statement_applies
from .gadgets import ConstructionError, to_activation
from .projection import DirectionError, fixed_direction
from .two_layer import oriented_fit, two_layer_fit
from .two_layer_tight import tight_fit

__all__ = ["CONSTRUCTIONS", "STATEMENT", "DESCRIPTION", "RELU_ONLY", "LEAKY_STATEMENT", "certify",
           "check_activation"]


def _two_layer(ds, activation="relu", **options):
    net, info = two_layer_fit(ds, keep="kept", activation=activation)
    return net, dict(info, statement="Sohn et al. 2024, Theorem 4.4 (with Lemma 4.5)")


def _two_layer_all(ds, activation="relu", **options):
    net, info = two_layer_fit(ds, keep="all", activation=activation)
    return net, dict(info, statement="Sohn et al. 2024, Lemma 4.5 on all K points (baseline, Remark 2)")


def _two_layer_oriented(ds, **options):
    net, info = oriented_fit(ds)
    return net, dict(info, statement="Theorem 4.4 with kink orientations chosen (ours; docs/search.md §7): "
                                     "|J| - 2 neurons when two consecutive kept targets are equal")


def _two_layer_tight(ds, **options):
    net, info = tight_fit(ds)
    return net, dict(info, statement="min{3N, K-2} neurons for every dataset with K >= 5 (ours; "
                                     "docs/theorems/two-layer-capacity.md): a kink pair of opposite orientations "
                                     "in gap 3 and a right-facing kink in gap 1 when 5 <= K <= 2N + 1 and the "
                                     "targets are multiples of one vector (always for d_y = 1), "
                                     "two-layer-oriented otherwise")


CONSTRUCTIONS = {"two-layer": _two_layer, "two-layer-all": _two_layer_all, "two-layer-oriented": _two_layer_oriented,
                 "two-layer-tight": _two_layer_tight}


def _register_deeper():
    """Three-layer and deeper constructions (issue 4): [FTC] §5, Appendix A, §6 and [YSJ] §3."""
    from .deep import deep_network
    from .three_layer import (three_layer_4n4, three_layer_best, three_layer_u1, three_layer_u2,
                              three_layer_u3, three_layer_u3_t)
    from .tents import three_layer_tents
    from .ysj import ysj_classifier, ysj_deep, ysj_memorizer
    from .ysj_resnet import ysj_resnet

    def layers_only(build):
        return lambda ds, layers=None, **options: build(ds, layers)

    def plain(build):
        return lambda ds, **options: build(ds)

    CONSTRUCTIONS.update({
        "three-layer-u1": plain(three_layer_u1), "three-layer-u2": plain(three_layer_u2),
        "three-layer-u3": plain(three_layer_u3), "three-layer-4n4": plain(three_layer_4n4),
        "three-layer-u3-t": plain(three_layer_u3_t), "three-layer-tents": plain(three_layer_tents),
        "three-layer-best": plain(three_layer_best), "deep": layers_only(deep_network),
        "ysj-memorizer": lambda ds, activation="relu", **options: ysj_memorizer(ds, activation=activation),
        "ysj-classifier": lambda ds, activation="relu", **options: ysj_classifier(ds, activation=activation),
        "ysj-deep": lambda ds, layers=None, activation="relu", **options: ysj_deep(ds, layers, activation),
        "ysj-resnet": lambda ds, layers=None, activation="relu", **options: ysj_resnet(ds, layers=layers,
                                                                                       activation=activation),
    })


_register_deeper()


#: The registry statement (ftcexact.kernel.claims.STATEMENTS) each construction instantiates.
STATEMENT = {
    "two-layer": "ftc_thm_4_4", "two-layer-all": "ftc_lemma_4_5", "two-layer-oriented": "ftcexact_two_layer_oriented",
    "two-layer-tight": "ftcexact_two_layer_tight",
    "three-layer-u1": "ftc_u1_integer", "three-layer-u2": "ftc_u2_integer", "three-layer-u3": "ftc_u3_integer",
    "three-layer-4n4": ("ftc_app_a", "ftcexact_app_a_vector"), "three-layer-best": "ftc_thm_5_1_upper_integer",
    "three-layer-u3-t": "ftcexact_u3_t", "three-layer-tents": "ftcexact_tents", "deep": "ftc_prop_6_1",
    "ysj-memorizer": "ysj_thm_3_1", "ysj-classifier": "ysj_prop_3_2", "ysj-deep": None, "ysj-resnet": "ysj_resnet",
}

#: Why a construction takes ReLU only (``certify(..., activation="leaky:S-:S+")`` refuses it with this line).
RELU_ONLY = {
    "two-layer-oriented": "its saving uses ReLU's one-sided zero tails; a leaky unit has none",
    "two-layer-tight": "its saving uses ReLU's one-sided zero tails; a leaky unit has none",
    "three-layer-4n4": "Appendix A's sT unit (slope 1 on one tail, 0 on the other) is not 2 leaky units "
                       "(docs/sources/ysj-details.md (b))",
    "three-layer-best": "it compares with Appendix A, which has no leaky version; use three-layer-u1, -u2 or -u3",
    "three-layer-tents": "a tent's zero tail at the unchanged points needs ReLU",
}

#: The registry statement a construction instantiates with a leaky activation (kernel/claims.py: the [YSJ]
#: statements cover the family; the ftcexact_leaky_* ids are the project's extensions of [FTC] counts).
LEAKY_STATEMENT = {
    "two-layer": "ftcexact_leaky_thm_4_4", "two-layer-all": "ftcexact_leaky_lemma_4_5",
    "three-layer-u1": "ftcexact_leaky_u1_integer", "three-layer-u2": "ftcexact_leaky_u2_integer",
    "three-layer-u3": "ftcexact_leaky_u3_integer", "three-layer-u3-t": "ftcexact_leaky_u3_t",
    "deep": "ftcexact_leaky_prop_6_1", "ysj-memorizer": "ysj_thm_3_1", "ysj-classifier": "ysj_prop_3_2",
    "ysj-deep": None, "ysj-resnet": "ysj_resnet",
}

#: One line per construction, for ``ftcexact certify --help`` and the docs.
DESCRIPTION = {
    "two-layer": "[FTC] Theorem 4.4: one hidden layer, K - 1 - sum_P max(|P| - 2, 0) <= min(3N + 1, K - 1) neurons",
    "two-layer-all": "[FTC] Lemma 4.5 on all K points: the classical K - 1 neuron baseline",
    "two-layer-oriented": "ours (docs/search.md §7): min(3N, K - 2) neurons when K >= 2N + 2",
    "two-layer-tight": "ours (docs/theorems/two-layer-capacity.md): min(3N, K - 2) neurons for every K >= 5 "
                       "(d_y = 1 or rank-1 targets; other vector targets: two-layer-oriented)",
    "three-layer-u1": "[FTC] §5.2 U1: the [YSJ] Theorem 3.1 memorizer of z, about 4 sqrt(K d_y) neurons",
    "three-layer-u2": "[FTC] §5.2 U2: U1's first layer and one bump per changed point, about 2 sqrt(K) + 3N",
    "three-layer-u3": "[FTC] §5.2 U3: slots on the kept set J with a ramped sL (per output), about 6 sqrt(3N + 2) "
                      "for d_y = 1",
    "three-layer-4n4": "[FTC] Appendix A: 2N + 1 hard-tanh windows and one sT unit per output, 4N + 2 + 2 d_y neurons",
    "three-layer-best": "[FTC] Theorem 5.1 part 1: the smallest of U1, U2, U3 and Appendix A",
    "three-layer-u3-t": "ours: U3 with slots on T only, about 4 sqrt(2N d_y) neurons",
    "three-layer-tents": "ours (docs/theorems/three-layer-widths.md): one tent per changed point, 2N + 1 neurons",
    "deep": "[FTC] Proposition 6.1: --layers L >= 4, U3/U1 blocks stacked in depth",
    "ysj-memorizer": "[YSJ] Theorem 3.1: two hidden layers memorizing the targets, d1 d2 >= 4 K d_y",
    "ysj-classifier": "[YSJ] Proposition 3.2: three hidden layers with exact one-hot outputs",
    "ysj-deep": "[YSJ] Theorem 3.1 blocks chained in depth (Figure 2 idea), --layers L",
    "ysj-resnet": "[YSJ] ResNet theorem: one-hot labels, data in general position, residual widths summing to "
                  "4 d_y + ceil(4K/d_x) over --layers L - 1 blocks (default L = 2) and a head of 2 d_y",
}


for _name in DESCRIPTION:
    DESCRIPTION[_name] += (f" [ReLU only: {RELU_ONLY[_name]}]" if _name in RELU_ONLY
                           else " [ReLU, or --activation leaky:S-:S+]")


def check_activation(activation):
    """``(S-, S+)`` of an activation option, refusing anything outside ``max{S+ t, S- t}``, ``S+ > S- >= 0``."""
    from ..kernel.evaluate import activation_slopes
    from ..kernel.reader import Malformed
    try:
        s_neg, s_pos = activation_slopes(activation)
    except Malformed as e:
        raise ConstructionError(str(e)) from None
    if not s_pos > s_neg >= 0:
        raise ConstructionError(f"activation {activation!r}: the family max{{S+ t, S- t}} needs S+ > S- >= 0")
    return s_neg, s_pos


def certify(ds, construction="two-layer", dataset_ref=None, frozen_ref=None, activation="relu", direction=None,
            return_network=False, **options):
    """Build the named construction on ``ds`` and return its certificate (a dict).

    ``activation`` is ``"relu"`` or ``"leaky:S-:S+"`` (``S+ > S- >= 0``); constructions in
    :data:`RELU_ONLY` refuse a leaky one, the others build with it (natively, or through the exact
    conversion :func:`~ftcexact.constructions.gadgets.to_activation`) and name
    :data:`LEAKY_STATEMENT`'s statement.

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> cert = certify(random_dataset(d=2, K=8, N=3, seed=0))
    >>> cert["claim"]["statement"], cert["claim"]["neurons"] <= 3 * 3 + 1
    ('ftc_thm_4_4', True)

    ``direction`` fixes the projection ``t = a . x`` (it must separate the
    points); by default a well-conditioned one is chosen
    (:mod:`ftcexact.constructions.projection`).  With ``return_network``
    the result is ``(certificate, network)``.
    """
    if construction not in CONSTRUCTIONS:
        raise ValueError(f"unknown construction {construction!r}; choose from {', '.join(CONSTRUCTIONS)}")
    leaky = check_activation(activation) != (0, 1)
    if leaky and construction in RELU_ONLY:
        raise ConstructionError(f"{construction} takes ReLU only: {RELU_ONLY[construction]}")
    try:
        with fixed_direction(direction):
            net, info = CONSTRUCTIONS[construction](ds, activation=activation, **options)
    except DirectionError as e:
        raise ConstructionError(str(e)) from None
    if net.activation != activation:
        net = to_activation(net, activation, ds)
    hints = {k: v for k, v in info.items() if k not in ("statement", "bound")}
    hints["recipe_neurons"] = info["bound"]
    hints["recipe_statement"] = info["statement"]
    statement = LEAKY_STATEMENT.get(construction) if leaky else STATEMENT.get(construction)
    if isinstance(statement, tuple):  # the first statement this instance meets (else the first, with the reason)
        statement = next((s for s in statement if statement_applies(s, ds, net)[0]), statement[0])
    cert = make_certificate(ds, net, construction=construction, statement=statement,
                            hints=hints, dataset_ref=dataset_ref, frozen_ref=frozen_ref)
    return (cert, net) if return_network else cert
