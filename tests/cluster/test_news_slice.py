"""The issue's equivalence check on real news: a fixed 2,000-article SaudiNewsNet slice indexed once
locally and once through Ray into 4 shards gives the same passages and vectors, and every question
of XQuAD dev (both languages) and of the sample set gets the same top 10. Slow (two builds with the
real model); skipped when ../shared is not beside the checkout."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.cluster.sanad import ShardedSanad
from assistant.config import Settings
from assistant.sanad import Sanad
from eval.news_mix import NEWS_DIR
from eval.news_slice import build
from eval.top_hits import XQUAD_DIR, differences, load_questions, top_hits
from index.records import FieldMap
from index.shards import ShardStore
from index.store import IndexStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not NEWS_DIR.is_dir() or not XQUAD_DIR.is_dir(), reason="../shared/data (SaudiNewsNet, XQuAD) not here"),
]


def test_a_2000_article_slice_ranks_the_same_in_one_index_and_in_4_shards(ray_local, sanad_home, tmp_path) -> None:
    folder = tmp_path / "news-2000"
    assert build(folder, 2000) == 2000
    fields = FieldMap.parse(["date=date_extracted"])
    base = Settings.from_env(environ={}, progress=False)
    one = Sanad(base.replace(index_dir=sanad_home / "slice-one"))
    four = ShardedSanad(base.replace(index_dir=sanad_home / "slice-four", engine="ray", shards=4, ray_workers=2))
    try:
        assert len(one.add_paths([folder], fields=fields).added) == 2001
        assert len(four.add_paths([folder], fields=fields).added) == 2001
        whole = IndexStore(one.settings.index_dir).load()
        store = ShardStore(four.settings.index_dir)
        parts = [store.load(e) for e in store.read().shards]
        assert len(parts) == 4
        assert [(p.doc_id, p.start, p.end) for d in parts for p in d.passages(range(d.n_passages))] == [
            (p.doc_id, p.start, p.end) for p in whole.passages(range(whole.n_passages))
        ]
        assert np.abs(np.concatenate([d.dense.vectors for d in parts]) - whole.dense.vectors).max() <= 1e-5
        questions = load_questions()
        assert len(questions) > 1000
        a, b = top_hits(one, questions), top_hits(four, questions)
        assert sum(map(len, a.values())) > 10 * len(questions) * 0.9
        assert differences(a, b) == []
    finally:
        four.close()
