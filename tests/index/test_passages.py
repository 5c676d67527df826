"""Passages: whole sentences in windows with overlap; `document[start:end] == passage.text` always."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.passages import Passage, sentences_in, split_passages
from index.sentences import split_sentences

ARABIC = (
    "تواصل الوفدان المحادثات في العاصمة، بحضور وسطاء دوليين. وقال المبعوث إنّ هناك تقدما في المفاوضات.\n\n"
    'من جهته، قال رئيس الوفد: "نعمل بالصيغ نفسها". وارتفع المؤشر بنسبة ٢٫٥ في المئة؟ نعم!\n'
    "وذكرت (أ.ف.ب) أن د. سامي غادر. انتهى الاجتماع… ثم عاد الجميع."
)
ENGLISH = (
    "The festival opened on Friday. More than 40,000 people came, the organisers said!\n"
    "Was it the biggest one yet? The mayor thinks so. Dr. Smith disagreed... but only a little.\n\n"
    "Boats were shown along the quay. The event ends on Sunday."
)
MIXED = (
    'قالت وكالة Reuters إن المحادثات في Abu Dhabi مستمرة. The envoy said talks were "constructive".\n'
    "وأضاف: لا اتفاق بعد؟ Not yet! السعر 2.5 دولار. End."
)


def check_invariants(doc: str, passages: list[Passage], max_words: int, overlap: int) -> None:
    """Offsets, sentence alignment, coverage, size and the overlap rule."""
    sents = split_sentences(doc)
    starts = {s: i for i, (s, _) in enumerate(sents)}
    ends = {e: i for i, (_, e) in enumerate(sents)}
    covered: set[int] = set()
    prev: tuple[int, int] | None = None
    for p in passages:
        assert doc[p.start : p.end] == p.text
        assert p.start in starts and p.end in ends  # never cuts a sentence
        first, last = starts[p.start], ends[p.end]
        assert first <= last
        covered.update(range(first, last + 1))
        if last > first:  # a passage of several sentences respects the size
            assert len(re.findall(r"\S+", p.text)) <= max_words
        if prev is not None:
            pf, pl = prev
            assert first == max(pf + 1, pl + 1 - overlap)
        prev = (first, last)
    assert covered == set(range(len(sents)))  # every sentence is in some passage
    if passages:
        assert ends[passages[-1].end] == len(sents) - 1


@pytest.mark.parametrize("doc", [ARABIC, ENGLISH, MIXED], ids=["arabic", "english", "mixed"])
@pytest.mark.parametrize(("max_words", "overlap"), [(1, 0), (8, 0), (8, 1), (15, 2), (1000, 1)])
def test_offsets_and_invariants(doc: str, max_words: int, overlap: int) -> None:
    passages = split_passages("doc-1", doc, max_words, overlap)
    assert passages
    assert all(p.doc_id == "doc-1" for p in passages)
    check_invariants(doc, passages, max_words, overlap)


def test_large_window_gives_one_passage() -> None:
    [p] = split_passages("d", ARABIC, max_words=1000)
    assert p.text == ARABIC.strip()


def test_overlap_shares_sentences() -> None:
    doc = "One two three. Four five six. Seven eight nine. Ten eleven twelve."
    no_overlap = [p.text for p in split_passages("d", doc, max_words=6, overlap=0)]
    assert no_overlap == ["One two three. Four five six.", "Seven eight nine. Ten eleven twelve."]
    one = [p.text for p in split_passages("d", doc, max_words=6, overlap=1)]
    assert one == [
        "One two three. Four five six.",
        "Four five six. Seven eight nine.",
        "Seven eight nine. Ten eleven twelve.",
    ]


def test_overlap_never_stalls() -> None:
    # Overlap as large as the window still moves forward one sentence at a time.
    doc = "Aa bb. Cc dd. Ee ff. Gg hh."
    texts = [p.text for p in split_passages("d", doc, max_words=4, overlap=5)]
    assert texts == ["Aa bb. Cc dd.", "Cc dd. Ee ff.", "Ee ff. Gg hh."]


def test_sentence_longer_than_window_is_kept_whole() -> None:
    long = " ".join(["كلمة"] * 30) + "."
    doc = f"قصيرة. {long} أخرى."
    passages = split_passages("d", doc, max_words=5, overlap=0)
    assert [p.text for p in passages] == ["قصيرة.", long, "أخرى."]


def test_empty_documents() -> None:
    assert split_passages("d", "") == []
    assert split_passages("d", "  \n\n ") == []


def test_bad_sizes_refused() -> None:
    with pytest.raises(ValueError):
        split_passages("d", "x.", max_words=0)
    with pytest.raises(ValueError):
        split_passages("d", "x.", overlap=-1)


def test_sentences_in_returns_document_offsets() -> None:
    passages = split_passages("d", MIXED, max_words=12, overlap=1)
    for p in passages:
        spans = sentences_in(p.start, p.end, MIXED)
        assert spans[0][0] == p.start and spans[-1][1] == p.end
        for s, e in spans:
            assert (s, e) in split_sentences(MIXED)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=4))
def test_offsets_hold_on_any_text(text: str, max_words: int, overlap: int) -> None:
    check_invariants(text, split_passages("x", text, max_words, overlap), max_words, overlap)


_PIECES = st.sampled_from(
    [
        "قال",
        "المفاوضات",
        "Talks",
        "2.5",
        "٢٫٥",
        "د.",
        "أ.ف.ب",
        ".",
        "؟",
        "!",
        "…",
        "،",
        "؛",
        ":",
        "\n",
        "\r\n",
        " ",
        "«",
        "»",
        '"',
        "ـ",
        "ً",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_PIECES, max_size=120).map(" ".join),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=0, max_value=3),
)
def test_offsets_hold_on_news_like_text(text: str, max_words: int, overlap: int) -> None:
    check_invariants(text, split_passages("x", text, max_words, overlap), max_words, overlap)
