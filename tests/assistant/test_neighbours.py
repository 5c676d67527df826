"""Joining overlapping passages of one article that both rank near the top."""

from __future__ import annotations

from assistant.answer import Hit
from assistant.neighbours import MERGE_DEPTH, join_neighbours
from index.passages import split_passages

DOC = " ".join(f"الجملة رقم {i} في الخبر تقول شيئا عن الموضوع." for i in range(40))


def _hits(order: list[int], doc_id: str = "a.txt", text: str = DOC) -> list[Hit]:
    ps = split_passages(doc_id, text, max_words=40, overlap=1)
    return [Hit(i, p.doc_id, p.start, p.end, 10.0 - rank, p.text) for rank, i in enumerate(order) for p in [ps[i]]]


def test_the_passages_overlap() -> None:
    ps = split_passages("a.txt", DOC, max_words=40, overlap=1)
    assert len(ps) >= 4 and ps[1].start < ps[0].end


def test_overlapping_neighbours_become_one_hit_in_the_better_place() -> None:
    hits = _hits([1, 3, 0])
    out = join_neighbours(hits)
    assert [h.passage_id for h in out] == [1, 3]
    first = out[0]
    assert (first.start, first.end) == (hits[2].start, hits[0].end)
    assert DOC[first.start : first.end] == first.text
    assert first.score == hits[0].score


def test_passages_that_do_not_touch_stay_apart() -> None:
    hits = _hits([0, 2, 4])
    assert join_neighbours(hits) == hits


def test_other_articles_are_never_joined() -> None:
    a = _hits([0])
    b = _hits([1], doc_id="b.txt")
    assert len(join_neighbours(a + b)) == 2


def test_a_hit_joins_one_neighbour_at_most() -> None:
    out = join_neighbours(_hits([1, 0, 2]))
    assert len(out) == 2
    assert out[0].end - out[0].start < len(DOC)
    assert DOC[out[1].start : out[1].end] == out[1].text


def test_only_hits_near_the_top_are_joined() -> None:
    far = [3, 5, 7, 9, 11][: MERGE_DEPTH - 1]
    hits = _hits([1, *far, 12, 0])
    out = join_neighbours(hits)
    assert out[0].passage_id == 1 and (out[0].start, out[0].end) == (hits[0].start, hits[0].end)
    assert len(out) == len(hits)
