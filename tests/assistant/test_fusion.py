"""Fusion of channel rankings: weighted reciprocal rank fusion and z-score sums."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.fusion import ChannelScores, parse_weights, rrf, zsum


def test_single_channel_keeps_its_order() -> None:
    fused = rrf({"lexical": [5, 2, 9]}, {"lexical": 1.0}, k=60)
    assert [i for i, _, _ in fused] == [5, 2, 9]
    assert fused[0][1] == pytest.approx(1 / 61)
    assert fused[2][1] == pytest.approx(1 / 63)


def test_agreement_beats_a_single_first_place() -> None:
    fused = rrf({"lexical": [1, 2], "dense": [3, 2]}, {"lexical": 1, "dense": 1}, k=60)
    assert fused[0][0] == 2
    assert fused[0][1] == pytest.approx(2 / 62)
    assert fused[0][2] == pytest.approx({"lexical": 1 / 62, "dense": 1 / 62})


def test_weights_scale_contributions() -> None:
    fused = rrf({"lexical": [1], "dense": [2]}, {"lexical": 1.0, "dense": 3.0}, k=10)
    assert [i for i, _, _ in fused] == [2, 1]
    assert fused[0][1] == pytest.approx(3 / 11)


def test_zero_weight_channel_is_ignored() -> None:
    fused = rrf({"lexical": [1], "names": [7]}, {"lexical": 1.0, "names": 0.0}, k=60)
    assert [i for i, _, _ in fused] == [1]


def test_unlisted_channel_is_off() -> None:
    fused = rrf({"lexical": [1], "dense": [7]}, {"lexical": 1.0}, k=60)
    assert [i for i, _, _ in fused] == [1]


def test_ties_broken_by_item_id() -> None:
    fused = rrf({"a": [9, 4], "b": [4, 9]}, {"a": 1, "b": 1}, k=60)
    assert [i for i, _, _ in fused] == [4, 9]


def test_k_flattens_rank_differences() -> None:
    sharp = rrf({"a": [1, 2]}, {"a": 1}, k=1)
    flat = rrf({"a": [1, 2]}, {"a": 1}, k=1000)
    assert sharp[0][1] / sharp[1][1] > flat[0][1] / flat[1][1]


def test_empty() -> None:
    assert rrf({}, {}) == []
    assert rrf({"a": []}, {"a": 1.0}) == []


def _channel(scores: list[float], depth: int = 2) -> ChannelScores:
    arr = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-arr, kind="stable")[:depth]
    return ChannelScores(order, lambda rows: arr[rows], float(arr.mean()), float(arr.std()))


def test_zsum_is_the_weighted_sum_of_z_scores() -> None:
    a = [4.0, 0.0, 1.0, 0.0, 0.0]
    b = [0.1, 0.5, 0.3, 0.2, 0.2]
    fused = zsum({"a": _channel(a), "b": _channel(b)}, {"a": 1.0, "b": 2.0})
    za = (np.array(a) - np.mean(a)) / np.std(a)
    zb = (np.array(b) - np.mean(b)) / np.std(b)
    expected = za + 2 * zb
    union = {0, 2, 1}  # each channel's top two
    assert [i for i, _, _ in fused] == sorted(union, key=lambda i: -expected[i])
    for item, score, parts in fused:
        assert score == pytest.approx(expected[item])
        assert parts["a"] == pytest.approx(za[item]) and parts["b"] == pytest.approx(2 * zb[item])


def test_zsum_a_standout_beats_a_flat_first_place() -> None:
    # Channel a: item 0 towers over the rest; channel b: item 1 wins by a hair. RRF calls it a tie.
    a = [10.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    b = [0.50, 0.51, 0.50, 0.50, 0.49, 0.50]
    fused = zsum({"a": _channel(a), "b": _channel(b)}, {"a": 1.0, "b": 1.0})
    assert fused[0][0] == 0


def test_zsum_skips_flat_and_unweighted_channels() -> None:
    assert zsum({"a": _channel([1.0, 1.0, 1.0])}, {"a": 1.0}) == []
    assert zsum({"a": _channel([3.0, 1.0, 0.0])}, {"b": 1.0}) == []


def test_parse_weights() -> None:
    assert parse_weights("lexical=1, dense=0.5,") == {"lexical": 1.0, "dense": 0.5}
    with pytest.raises(ValueError, match="name=number"):
        parse_weights("lexical=high")
