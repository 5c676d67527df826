"""Reader windows: coverage of the passage, offsets into it, and answer token positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.reader.windows import BOS, EOS, encode, token_span, windows

PASSAGE = "the talks news the talks. " * 6 + "في الأخبار " * 4


@pytest.fixture(scope="module")
def tok(tiny_e5_dir: Path):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(tiny_e5_dir / "tokenizer.json"))


def test_windows_cover_the_passage_with_overlap(tok):
    q, p = encode(tok, "the talks?"), encode(tok, PASSAGE)
    ws = windows(q, p, max_len=40, stride=8)
    assert len(ws) > 1
    covered = set()
    for w in ws:
        assert len(w.ids) <= 40
        assert w.ids[0] == BOS and w.ids[-1] == EOS
        assert w.ids[w.first - 2 : w.first] == (EOS, EOS)
        assert w.ids[1 : w.first - 2] == q.ids
        covered |= set(w.offsets)
    assert covered == set(p.offsets)
    # consecutive windows share tokens
    assert set(ws[0].offsets) & set(ws[1].offsets)


def test_offsets_point_into_the_passage(tok):
    p = encode(tok, PASSAGE)
    for a, b in p.offsets:
        assert 0 <= a <= b <= len(PASSAGE)
    text = "".join(PASSAGE[a:b] for a, b in p.offsets)
    assert text.replace(" ", "") == PASSAGE.replace(" ", "")


def test_token_span_finds_the_answer_tokens(tok):
    q, p = encode(tok, "which?"), encode(tok, PASSAGE)
    w = windows(q, p, max_len=200, stride=8)[0]
    start = PASSAGE.index("news")
    s, e = token_span(w, start, start + 4)
    a, b = w.offsets[s - w.first][0], w.offsets[e - w.first][1]
    assert PASSAGE[a:b].strip() == "news"
    # an answer outside the window has no position in it
    short = windows(q, p, max_len=30, stride=4)[0]
    late = PASSAGE.index("الأخبار")
    assert token_span(short, late, late + 7) is None


def test_span_window_is_centred_on_the_sentence(tok):
    q, p = encode(tok, "what?"), encode(tok, PASSAGE)
    a = PASSAGE.index("في")
    ws = windows(q, p, max_len=30, stride=4, span=(a, a + 10))
    assert ws and ws[0].offsets[0][0] <= a and ws[0].offsets[-1][1] >= a + 10


def test_too_long_a_question_is_refused(tok):
    with pytest.raises(ValueError, match="no room"):
        windows(encode(tok, "the talks " * 30), encode(tok, PASSAGE), max_len=20, stride=2)
