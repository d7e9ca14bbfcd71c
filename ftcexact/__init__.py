"""ftcexact: exact certificates for memorization and fine-tuning capacity of small ReLU networks.

The public API (:mod:`ftcexact.api`): :func:`certify`, :func:`verify`, :func:`pieces`, :func:`min_pieces`,
:func:`min_width`, :func:`lower_bound`, :func:`partition`, :func:`load_model`, :func:`export`,
:func:`draw`, :func:`prove`; results :class:`Certificate`, :class:`Verdict`, :class:`Pieces`.  Rationals come back as
``fractions.Fraction``.  See docs/tutorial.md.

The names are loaded on first use, so ``import ftcexact.kernel.verify`` (the trusted verifier) imports
nothing of the package beyond its kernel.
"""

__version__ = "0.2.0"

__all__ = ["Certificate", "Pieces", "Verdict", "certify", "export", "load_model", "lower_bound", "min_pieces",
           "min_width", "partition", "pieces", "draw", "prove", "summary", "verify", "__version__"]


def __getattr__(name):
    if name in __all__:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'ftcexact' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
