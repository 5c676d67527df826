from __future__ import annotations

import pytest

from eval.summary import prediction, summarize


def test_prediction_rules(records: list[dict]) -> None:
    assert prediction(records[0]) == "أبوظبي"  # the short answer
    assert prediction(records[1]) == "دمرت 435 طائرة"  # markers removed
    assert prediction(records[3]) == ""  # abstained
    assert prediction(records[5]) == ""  # error


def test_record_scores(records: list[dict]) -> None:
    assert records[0]["scores"] == {"em": 1.0, "f1": 1.0, "contains": 1.0, "rank": 1, "evidence_cited": 1.0}
    assert records[1]["scores"] == {"em": 0.0, "f1": 0.5, "contains": 1.0, "rank": 2, "evidence_cited": 0.0}
    assert records[2]["scores"] == {"em": None, "f1": None, "contains": None, "rank": None, "evidence_cited": None}
    assert records[3]["scores"]["rank"] == 3 and records[3]["scores"]["evidence_cited"] is None


def test_summary_by_hand(records: list[dict]) -> None:
    groups = summarize(records, bootstrap=200)
    assert list(groups) == ["ar", "en", "all"]
    ar, en, al = groups["ar"], groups["en"], groups["all"]
    assert (ar["questions"], ar["answerable"], ar["unanswerable"], ar["with_gold_source"]) == (3, 2, 1, 2)
    assert ar["recall@1"] == 0.5 and ar["recall@5"] == 1.0 and ar["mrr@10"] == 0.75
    assert (ar["em"], ar["f1"], ar["contains"], ar["evidence_cited"]) == (0.5, 0.75, 1.0, 0.5)
    assert (ar["abstention_precision"], ar["abstention_recall"], ar["abstention_f1"]) == (1.0, 1.0, 1.0)
    assert ar["wrong_abstention_rate"] == 0.0

    assert en["with_gold_source"] == 1 and en["errors"] == 1
    assert (en["recall@1"], en["recall@5"], en["mrr@10"]) == (0.0, 1.0, pytest.approx(1 / 3, abs=1e-4))
    assert (en["em"], en["f1"], en["contains"]) == (0.0, 0.0, 0.0)
    assert en["evidence_cited"] is None  # no answered question with a gold source
    assert (en["abstention_precision"], en["abstention_recall"], en["abstention_f1"]) == (0.0, 0.0, 0.0)
    assert en["wrong_abstention_rate"] == 0.5

    assert (al["questions"], al["abstained"], al["wrong_abstentions"]) == (6, 2, 1)
    assert al["mrr@10"] == pytest.approx((1 + 0.5 + 1 / 3) / 3, abs=1e-4)
    assert (al["em"], al["f1"], al["contains"]) == (0.25, 0.375, 0.5)
    assert (al["abstention_precision"], al["abstention_recall"], al["abstention_f1"]) == (0.5, 0.5, 0.5)
    assert al["latency_p50_ms"] == 35.0 and al["latency_p95_ms"] == 57.5


def test_intervals_bracket_the_estimate(records: list[dict]) -> None:
    al = summarize(records, bootstrap=300)["all"]
    for name in ("em", "f1", "contains", "mrr@10", "abstention_f1"):
        lo, hi = al["ci95"][name]
        assert 0.0 <= lo <= al[name] <= hi <= 1.0
    assert summarize(records, bootstrap=300)["all"]["ci95"] == al["ci95"]  # seeded
    assert summarize(records, bootstrap=0)["all"]["ci95"] == {}


def test_no_unanswerable_questions_means_no_abstention_figures(records: list[dict]) -> None:
    (group,) = [summarize(records[:2], bootstrap=50)["all"]]
    assert group["abstention_precision"] is None
    assert group["abstention_recall"] is None and group["abstention_f1"] is None
    assert group["ci95"]["abstention_f1"] is None
