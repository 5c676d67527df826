from __future__ import annotations

import numpy as np
import pytest

from eval import metrics

DOC = "news/a.txt"


@pytest.mark.parametrize(
    ("pred", "golds", "em", "f1"),
    [
        # English: "the" goes; 2 of 4 predicted words are right, both gold words found -> P=.5, R=1.
        ("the Russian envoy Kirill Dmitriev", ["Kirill Dmitriev"], 0.0, 2 / 3),
        ("Kirill Dmitriev.", ["Kirill Dmitriev"], 1.0, 1.0),
        # Arabic: the same shape, with ال stripped from المبعوث/الروسي.
        ("المبعوث الروسي كيريل دميترييف", ["كيريل دميترييف"], 0.0, 2 / 3),
        # Arabic: 2 shared words of 3 on each side (ة folded, ال stripped) -> P=R=2/3.
        ("مقاطعة دونيتسك الأوكرانية", ["في مقاطعة دونيتسك"], 0.0, 2 / 3),
        # Article, diacritics and hamza forms do not matter.
        ("الدَّبّابات", ["دبابات"], 1.0, 1.0),
        ("أبوظبي", ["ابوظبى"], 1.0, 1.0),
        # The best gold answer counts.
        ("Abu Dhabi", ["أبوظبي", "Abu Dhabi"], 1.0, 1.0),
        ("nothing in common", ["Abu Dhabi"], 0.0, 0.0),
        ("", ["Abu Dhabi"], 0.0, 0.0),
        ("Abu Dhabi", [], 0.0, 0.0),
    ],
)
def test_exact_match_and_f1(pred: str, golds: list[str], em: float, f1: float) -> None:
    assert metrics.exact_match(pred, golds) == em
    assert metrics.token_f1(pred, golds) == pytest.approx(f1)


def test_f1_counts_repeated_words_once_each() -> None:
    # "talks" twice in the prediction matches the gold one once: overlap 2, P = R = 2/3.
    assert metrics.token_f1("talks talks Abu", ["Abu Dhabi talks"]) == pytest.approx(2 / 3)


def test_numbers_compare_as_numbers() -> None:
    assert metrics.exact_match("1,512,300", ["1512300"]) == 1.0
    assert metrics.contains("they counted 1,512,300 [1]", ["1512300"]) == 1.0
    assert metrics.contains("4350 warplanes", ["435"]) == 0.0


def test_number_words_compare_as_numbers() -> None:
    assert metrics.exact_match("1,512,300", ["مليون و512 ألفا و300"]) == 1.0
    assert metrics.exact_match("مليون و512 ألفا و300", ["1512300"]) == 1.0
    assert metrics.contains("قتل 55 ألف جندي", ["55,000"]) == 1.0


def test_contains_is_word_for_word() -> None:
    assert metrics.contains("تدمير 435 طائرة حربية", ["435"]) == 1.0
    assert metrics.contains("Russian forces thwarted a Ukrainian counterattack", ["a Ukrainian counterattack"]) == 1.0
    assert metrics.contains("Ukrainian forces", ["Ukrainian counterattack"]) == 0.0
    assert metrics.contains("", ["435"]) == 0.0


def _hit(text: str, doc_id: str = DOC) -> dict:
    return {"doc_id": doc_id, "start": 0, "end": len(text), "score": 1.0, "text": text}


def test_rank_recall_and_mrr() -> None:
    retrieved = [_hit("nothing here"), _hit("destroyed 435 warplanes"), _hit("435 warplanes again")]
    rank = metrics.first_relevant_rank(retrieved, "435 warplanes", DOC)
    assert rank == 2
    assert metrics.recall_at(rank, 1) == 0.0
    assert metrics.recall_at(rank, 5) == 1.0
    assert metrics.reciprocal_rank(rank, 10) == 0.5
    assert metrics.reciprocal_rank(11, 10) == 0.0
    assert metrics.reciprocal_rank(None) == 0.0


def test_relevance_needs_the_gold_document_when_named() -> None:
    retrieved = [_hit("435 warplanes", "other.txt"), _hit("435 warplanes")]
    assert metrics.first_relevant_rank(retrieved, "435 warplanes", DOC) == 2
    assert metrics.first_relevant_rank(retrieved, "435 warplanes", None) == 1
    # No evidence: the document alone decides.
    assert metrics.first_relevant_rank(retrieved, None, DOC) == 2
    assert metrics.first_relevant_rank(retrieved, None, None) is None


def test_relevance_folds_spelling_and_allows_clitics() -> None:
    # The passage has diacritics and the conjunction و glued to the evidence's first word.
    passage = _hit("التي تضم ستيف ويتكوف، وجاريد كوشنر صهرَ الرئيس")
    assert metrics.first_relevant_rank([passage], "جاريد كوشنر صهر الرئيس", DOC) == 1
    assert metrics.first_relevant_rank([passage], "كوشنر ابن الرئيس", DOC) is None


def test_abstention_counts_by_hand() -> None:
    #            unans  ans   unans  ans    ans
    abstained = [True, True, False, False, True]
    answerable = [False, True, False, True, True]
    s = metrics.abstention_scores(abstained, answerable)
    assert (s.abstained_unanswerable, s.abstained_answerable, s.answered_unanswerable) == (1, 2, 1)
    assert (s.answerable, s.unanswerable) == (3, 2)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(0.4)
    assert s.wrong_abstention_rate == pytest.approx(2 / 3)


def test_abstention_edge_cases() -> None:
    never = metrics.abstention_scores([False, False], [False, True])
    assert never.precision is None and never.recall == 0.0 and never.f1 == 0.0
    no_unanswerable = metrics.abstention_scores([True, False], [True, True])
    assert no_unanswerable.recall is None and no_unanswerable.f1 is None
    assert no_unanswerable.wrong_abstention_rate == 0.5
    with pytest.raises(ValueError):
        metrics.abstention_scores([True], [True, False])


def test_percentile_matches_numpy() -> None:
    values = [12.0, 3.0, 7.5, 100.0, 42.0, 8.0, 9.0]
    for q in (0, 50, 95, 100):
        assert metrics.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert metrics.percentile([1, 2, 3, 4], 50) == 2.5
    assert metrics.percentile([], 50) is None


def test_bootstrap_counts_are_resamples() -> None:
    counts = metrics.bootstrap_counts(7, samples=50, seed=3)
    assert counts.shape == (50, 7)
    assert (counts.sum(axis=1) == 7).all()
    assert (counts == metrics.bootstrap_counts(7, samples=50, seed=3)).all()
    assert not (counts == metrics.bootstrap_counts(7, samples=50, seed=4)).all()


def test_interval_drops_undefined_resamples() -> None:
    lo, hi = metrics.interval(np.array([np.nan, *range(101)], dtype=float))
    assert (lo, hi) == pytest.approx((2.5, 97.5))
    assert metrics.interval(np.array([np.nan])) is None
