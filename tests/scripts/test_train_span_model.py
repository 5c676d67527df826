"""The span model trainer's fitting: it must learn which feature marks the best candidate."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from assistant.spans import FEATURES

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "train_span_model.py"
_spec = importlib.util.spec_from_file_location("train_span_model", _PATH)
trainer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(trainer)


def _rows(n: int = 40, seed: int = 1) -> list[dict]:
    """Questions of 8 candidates each: the answer (F1 1) has feature 1 set, a near miss (F1 .5)
    feature 2, the rest random noise in feature 3."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        X = np.zeros((8, len(FEATURES)))
        X[:, 3] = rng.random(8)
        best = int(rng.integers(8))
        near = (best + 1) % 8
        X[best, 1] = 1.0
        X[near, 2] = 1.0
        f1 = np.zeros(8)
        f1[best], f1[near] = 1.0, 0.5
        rows.append({"lang": "ar", "X": X, "f1": f1})
    return rows


def test_listwise_fit_ranks_the_answer_first_and_the_near_miss_above_noise() -> None:
    rows = _rows()
    w = trainer.fit_listwise(rows, c=10.0)
    assert w[1] > w[2] > 0
    assert all(int(np.argmax(r["X"] @ w)) == int(np.argmax(r["f1"])) for r in _rows(seed=2))


def test_listwise_fit_skips_questions_without_a_good_candidate() -> None:
    rows = _rows()
    for r in rows:
        r["f1"] = r["f1"] * 0.2  # no candidate reaches .3: nothing to learn
    assert np.allclose(trainer.fit_listwise(rows, c=10.0), 0.0)


def test_loss_split_tells_sentence_choice_from_span_choice() -> None:
    # one question, two sentences: the model picks a wrong span in sentence 0; the answer is in
    # sentence 1, where the model would pick the near miss (F1 .5)
    X = np.zeros((4, len(FEATURES)))
    X[:, 1] = [3.0, 0.0, 2.0, 1.0]
    row = {"lang": "ar", "X": X, "f1": np.array([0.0, 0.2, 0.5, 1.0]), "sent": np.array([0, 0, 1, 1])}
    w = np.zeros(len(FEATURES))
    w[1] = 1.0

    class Q:
        lang = "ar"

    got = trainer.loss_split([row], w, [Q()])
    assert got == {
        "ar_pick": 0.0,
        "ar_best_in_picked_sentence": 0.2,
        "ar_pick_in_best_sentence": 0.5,
        "ar_best": 1.0,
    }


def test_listwise_fit_learns_around_an_offset_and_weighs_extra_questions() -> None:
    rows = _rows()
    offset = np.zeros(len(FEATURES))
    offset[1] = 5.0  # already enough to rank the answer first: less left to learn
    assert trainer.fit_listwise(rows, c=10.0, offset=offset)[1] < trainer.fit_listwise(rows, c=10.0)[1]
    # the same questions marked extra with weight 0 teach nothing
    extra = [{**r, "extra": True} for r in rows]
    assert np.allclose(trainer.fit_listwise(extra, c=10.0, extra_weight=0.0), 0.0)


def test_listwise_fit_of_some_columns_only() -> None:
    w = trainer.fit_listwise(_rows(), c=10.0, columns=[1, 3])
    assert w.shape == (2,) and w[0] > 1.0 and abs(w[1]) < w[0] / 2  # the answer's feature, not the noise
