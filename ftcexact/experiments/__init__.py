"""Experiments: float training runs set beside the exact counts (never a verdict on their own).

* :mod:`ftcexact.experiments.section7` -- [FTC] §7 (Figure 9): the least width of a trained
  three-layer ReLU network g that brings the fine-tuning loss below 0.04, next to the certified
  exact constructions on the same data and the certified worst-case lower bounds.

Training uses floating point (scikit-learn, an optional dependency: ``pip install
ftcexact[experiments]``); every exact number set beside it comes from certificates checked by
the trusted kernel (:mod:`ftcexact.kernel.verify`).
"""
