"""Which questions ask for the latest news, and how the prior re-ranks candidates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from assistant.recency import add_recency, asks_for_latest
from index.archive import DocRecord
from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.store import IndexData


@pytest.mark.parametrize(
    ("question", "latest"),
    [
        ("ما آخر التطورات في اليمن؟", True),
        ("ما آخر نتائج المنتخب؟", True),
        ("آخر أخبار موسم الحج", True),
        ("ما أحدث قرار لمجلس الوزراء؟", True),
        ("ماذا حدث مؤخرا في عدن؟", True),
        ("What is the latest on the talks?", True),
        ("What happened most recently in Aden?", True),
        ("قال مسؤول آخر إن المحادثات ستستمر", False),
        ("What happened last Tuesday?", False),
        ("كم عدد القتلى؟", False),
    ],
)
def test_asks_for_latest(question: str, latest: bool) -> None:
    assert asks_for_latest(question) is latest


def test_recent_articles_gain_and_undated_ones_do_not() -> None:
    dates = ["2015-07-01", "2015-07-25", "", "2015-07-18"]
    docs = [DocRecord(f"d{i}", "s", "t", date=d, key=i) for i, d in enumerate(dates)]
    n = len(docs)
    data = IndexData({}, docs, np.arange(n, dtype=np.int32), np.zeros(n, np.int64), np.ones(n, np.int64),
                     {"text": LexicalIndex({"w": 0}, sparse.csr_matrix(np.ones((n, 1), np.float32)))},
                     DenseIndex(np.ones((n, 4), np.float32)))  # fmt: skip
    fused = [(0, 3.0, {}), (1, 2.9, {}), (2, 2.8, {}), (3, 0.0, {})]
    out = add_recency(fused, data, weight=1.0, half_life_days=7.0)
    assert [r for r, _, _ in out][:2] == [1, 0]  # July 25 overtakes July 1
    bonus = {r: parts["recency"] for r, _, parts in out}
    assert bonus[2] == 0.0 and bonus[1] > bonus[3] > bonus[0] > 0
    assert bonus[3] == pytest.approx(bonus[1] * 0.5)  # seven days older: half the bonus
    assert add_recency(fused, data, weight=0.0, half_life_days=7.0) is fused
