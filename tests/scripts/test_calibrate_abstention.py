"""Calibration arithmetic: the logistic fit separates what it can, the threshold maximises refusal F1."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("calibrate_abstention", ROOT / "scripts" / "calibrate_abstention.py")
cal = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cal)


def test_logistic_fit_learns_the_informative_feature():
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.3
    x = np.column_stack([np.where(y, 1.5, -1.5) + rng.normal(0, 1, 400), rng.normal(0, 1, 400)])
    w, b = cal.fit_logistic(x, y.astype(float))
    assert w[0] > 1.0 and abs(w[1]) < 0.3
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert np.mean((p > 0.5) == y) > 0.85


def test_threshold_maximises_refusal_f1():
    p = np.array([0.1, 0.2, 0.3, 0.6, 0.7, 0.9])
    answerable = np.array([False, False, True, False, True, True])
    t = cal.best_threshold(p, answerable)
    refuse = p < t
    assert refuse[:2].all() and not refuse[4:].any()
