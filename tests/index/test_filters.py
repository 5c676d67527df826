"""Search filters and duplicate faces as passage masks, on an index built by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import sparse

from index.archive import DocRecord
from index.dense import DenseIndex
from index.filters import SearchFilter, archive_stats, doc_table, passage_mask, unknown_sources
from index.lexical import LexicalIndex
from index.store import IndexData


def index_of(docs: list[DocRecord], passages_per_doc: int = 2) -> IndexData:
    n = len(docs) * passages_per_doc
    doc_of = np.repeat(np.arange(len(docs)), passages_per_doc).astype(np.int32)
    return IndexData(
        {"model": "m", "dim": 4},
        docs,
        doc_of,
        np.zeros(n, np.int64),
        np.ones(n, np.int64),
        {"text": LexicalIndex({"w": 0}, sparse.csr_matrix(np.ones((n, 1), np.float32)))},
        DenseIndex(np.ones((n, 4), np.float32)),
    )


def rec(i: int, source: str, date: str, group: int = -1) -> DocRecord:
    return DocRecord(f"d{i}", "sha", "text", source=source, date=date, key=i, group=group if group >= 0 else i)


DOCS = [
    rec(0, "spa", "2015-07-10T08:00:00", group=0),
    rec(1, "Okaz", "2015-07-11", group=0),  # a copy of 0
    rec(2, "alriyadh", "2015-07-09", group=0),  # an earlier copy: the group's face
    rec(3, "sabq", "2015-07-05"),
    rec(4, "sabq", ""),  # no date
]


def docs_allowed(data: IndexData, filt: SearchFilter | None) -> list[str]:
    mask = passage_mask(data, filt)
    rows = range(data.n_passages) if mask is None else np.flatnonzero(mask)
    return sorted({data.documents[int(data.doc_of[r])].doc_id for r in rows})


def test_without_duplicates_or_a_filter_there_is_no_mask() -> None:
    assert passage_mask(index_of([rec(0, "a", ""), rec(1, "b", "")]), None) is None


def test_each_group_shows_its_earliest_member() -> None:
    assert docs_allowed(index_of(DOCS), None) == ["d2", "d3", "d4"]


@pytest.mark.parametrize(
    ("filt", "expected"),
    [
        (SearchFilter.build(None, None, ["okaz"]), ["d1"]),  # case ignored; the copy that passes is the face
        (SearchFilter.build(None, None, ["spa", "okaz"]), ["d0"]),  # the earliest of those that pass
        (SearchFilter.build("2015-07-10", None, []), ["d0"]),
        (SearchFilter.build(None, "2015-07-09", []), ["d2", "d3"]),  # undated d4 left out once a date bound is given
        (SearchFilter.build("2015-07-06", "2015-07-08", []), []),
        (SearchFilter.build(None, None, ["sabq"]), ["d3", "d4"]),
    ],
)
def test_filters(filt: SearchFilter, expected: list[str]) -> None:
    assert docs_allowed(index_of(DOCS), filt) == expected


def test_masks_are_cached_per_filter_and_the_members_listed_earliest_first() -> None:
    data = index_of(DOCS)
    f = SearchFilter.build(None, None, ["sabq"])
    assert passage_mask(data, f) is passage_mask(data, SearchFilter.build(None, None, ["SABQ"]))
    assert doc_table(data).members(1) == [2, 0]


def test_filter_from_a_mapping_and_bad_input() -> None:
    f = SearchFilter.of({"since": "2015-07-01", "until": "21 يوليو 2015", "source": "okaz"})
    assert (f.since, f.until, f.sources) == (dt.date(2015, 7, 1), dt.date(2015, 7, 21), frozenset({"okaz"}))
    assert SearchFilter.of(None).empty and SearchFilter.of(f) is f
    assert f.to_dict() == {"since": "2015-07-01", "until": "2015-07-21", "sources": ["okaz"]}
    with pytest.raises(ValueError, match="--since 2015-08-01 is after --until 2015-07-01"):
        SearchFilter.build("2015-08-01", "2015-07-01")
    with pytest.raises(ValueError, match="--until: unreadable date"):
        SearchFilter.build(None, "soon")


def test_unknown_sources_are_named() -> None:
    assert unknown_sources(index_of(DOCS), SearchFilter.build(None, None, ["okaz", "Reuters"])) == ["reuters"]


def test_archive_stats_count_outlets_dates_and_groups() -> None:
    assert archive_stats(index_of(DOCS)) == {
        "outlets": 4, "dated_documents": 4, "first_date": "2015-07-05", "last_date": "2015-07-11",
        "duplicate_groups": 1, "documents_in_duplicate_groups": 3,
    }  # fmt: skip
