"""The refusal decision: a fitted logistic model over the reader's evidence, per language."""

from __future__ import annotations

import numpy as np

from assistant.reader.abstain import Evidence, answer_probability, should_abstain

MODEL = {
    "ar": {"mean": [0, 0, 0, 0], "scale": [1, 1, 1, 1], "weights": [0.0, 1.0, 2.0, 0.0], "bias": -1.0, "threshold": 0.5},
    "en": {"mean": [0, 0, 0, 0], "scale": [1, 1, 1, 1], "weights": [0.0, 1.0, 0.0, 0.0], "bias": 0.0, "threshold": 0.7},
}


def test_probability_grows_with_the_margin():
    lo = answer_probability(Evidence(5, -2, 0.5, 0.5), "ar", MODEL)
    hi = answer_probability(Evidence(5, 4, 0.5, 0.5), "ar", MODEL)
    assert 0 < lo < hi < 1


def test_thresholds_are_per_language():
    ev = Evidence(5, 1.0, 0.0, 0.0)  # P = sigmoid(1) = .73 in English, sigmoid(0) = .5 in Arabic
    assert not should_abstain(ev, "en", MODEL)
    assert not should_abstain(ev, "ar", MODEL)
    # margin .6 and half the terms: Arabic z = -1 + .6 + 1 (P .65 >= .5), English z = .6 (P .65 < .7)
    split = Evidence(5, 0.6, 0.5, 0.0)
    assert should_abstain(split, "en", MODEL) and not should_abstain(split, "ar", MODEL)


def test_no_span_is_always_a_refusal_and_no_model_never_refuses():
    assert should_abstain(None, "ar", MODEL)
    assert not should_abstain(Evidence(-50, -50, 0, 0), "ar", {})
    assert np.isclose(answer_probability(Evidence(0, 0, 0, 0), "en", {}), 1.0)
