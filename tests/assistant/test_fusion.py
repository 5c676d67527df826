"""Weighted reciprocal rank fusion."""

from __future__ import annotations

import pytest

from assistant.fusion import rrf


def test_single_channel_keeps_its_order() -> None:
    fused = rrf({"lexical": [5, 2, 9]}, {"lexical": 1.0}, k=60)
    assert [i for i, _, _ in fused] == [5, 2, 9]
    assert fused[0][1] == pytest.approx(1 / 61)
    assert fused[2][1] == pytest.approx(1 / 63)


def test_agreement_beats_a_single_first_place() -> None:
    fused = rrf({"lexical": [1, 2], "dense": [3, 2]}, {}, k=60)
    assert fused[0][0] == 2
    assert fused[0][1] == pytest.approx(2 / 62)
    assert fused[0][2] == pytest.approx({"lexical": 1 / 62, "dense": 1 / 62})


def test_weights_scale_contributions() -> None:
    fused = rrf({"lexical": [1], "dense": [2]}, {"lexical": 1.0, "dense": 3.0}, k=10)
    assert [i for i, _, _ in fused] == [2, 1]
    assert fused[0][1] == pytest.approx(3 / 11)


def test_zero_weight_channel_is_ignored() -> None:
    fused = rrf({"lexical": [1], "names": [7]}, {"names": 0.0}, k=60)
    assert [i for i, _, _ in fused] == [1]


def test_ties_broken_by_item_id() -> None:
    fused = rrf({"a": [9, 4], "b": [4, 9]}, {}, k=60)
    assert [i for i, _, _ in fused] == [4, 9]


def test_k_flattens_rank_differences() -> None:
    sharp = rrf({"a": [1, 2]}, {}, k=1)
    flat = rrf({"a": [1, 2]}, {}, k=1000)
    assert sharp[0][1] / sharp[1][1] > flat[0][1] / flat[1][1]


def test_empty() -> None:
    assert rrf({}, {}) == []
    assert rrf({"a": []}, {"a": 1.0}) == []
