"""Fast exact numerics for the producer side: filtered floats, exact fallbacks.

This package is an *untrusted producer*: it computes exact rationals quickly
so that certificates can be built for large inputs; the trusted verifier
(:mod:`ftcexact.kernel`) never imports it.  Every routine returns exactly what
the slow exact code of the project returns (the tests in ``tests/numerics``
compare them on random and adversarial inputs).  It needs numpy (and uses
only the standard library besides, plus ``ftcexact.kernel.numbers.Q`` for
the final rationals).

Facade
------
======================================  =============================================================
:func:`evaluate_exact`                  ``net(x)`` at many points, as :func:`ftcexact.network.evaluate`
:func:`evaluate_integers`               the same as integer numerators over one denominator
:func:`restrict_to_line_fast`           as :func:`ftcexact.analysis.pieces.restrict_to_line`
:func:`project_exact`                   exact ``a . x_i`` for a float array (numerators, denominator)
:class:`IntegerNetwork`                 a network converted once (float arrays or ``Q`` weights)
======================================  =============================================================

Which method, and why
---------------------
The kernels are small, one topic each:

* :mod:`.dyadic` -- a binary float is ``m 2^e``; arrays become integer blocks
  over one power of two, read from the IEEE bit fields, and are split into
  signed limbs whose products are exact in float64 BLAS.  Used for inputs
  and weights given as floats, and for :func:`project_exact`.
* :mod:`.fpfilter` -- a float64 evaluation with a *rigorous* error bound
  (standard floating-point error analysis, including underflow and
  overflow) decides a sign only when the value is farther from 0 than the
  bound.  This is the filter of CGAL's filtered kernels: it decides almost
  everything, costs about one float pass, and never decides alone.
* :mod:`.rns` -- exact integer matrix products in a residue number system:
  one float64 BLAS product per prime, with primes small enough that every
  partial sum stays below ``2^52``; the number of primes is computed from a
  rigorous magnitude bound; base extension, Garner digits, signs and
  reconstruction are vectorised.  Chosen over Python ints because a product
  then costs ``k`` BLAS calls (``k`` ~ bits / 22) instead of one Python
  big-integer operation per multiply-add.
* :mod:`.layers` -- a network as integer numerators over per-layer
  denominators, with its float image and cached residues.
* :mod:`.evaluate` -- filter decides the ReLU pattern; RNS computes the
  exact values with that pattern; undecided entries get exact signs from the
  residues; outputs are reconstructed by CRT.  Networks whose magnitudes need
  more than a few hundred primes (weights with thousands of bits) take the
  exact Python-integer path instead.
* :mod:`.line` -- the exact restriction of a network to a line, walked layer
  by layer like ExactLine with float forms and error bounds; every decision
  (is a kink inside a piece, in which order, which pattern) is a sign of an
  exact integer expression, filtered and otherwise decided exactly.

Everything that is not decided by a filter with a proved bound is decided
exactly; counters (``evaluate.STATS``, ``line.STATS``) record how often.
"""

from .dyadic import NonFiniteError, exponent_range, project_exact, to_integers
from .evaluate import ExactValues, evaluate_exact, evaluate_integers
from .layers import IntegerNetwork, as_integer_network
from .line import restrict_to_line_fast

__all__ = ["evaluate_exact", "evaluate_integers", "ExactValues", "restrict_to_line_fast", "project_exact",
           "exponent_range", "to_integers", "NonFiniteError", "IntegerNetwork", "as_integer_network"]
