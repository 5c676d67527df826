"""Property-based fuzzing across the text pipeline, the question path and the eval-file reader.

Thousands of generated inputs per property, drawn from all of Unicode (lone surrogates, controls,
bidi marks, combining marks, private use) and from Arabic-heavy alphabets that hit the splitter's
rules. The module tests (test_sentences.py, test_passages.py ...) hold the readable cases and a
few hundred examples each; here the point is volume and hostile characters: zero crashes, and the
invariants that everything downstream relies on.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.answer import Answer
from assistant.question import clean_question
from eval.questions import (
    InvalidQuestion,
    Question,
    parse_lines,
    question_from_dict,
    question_to_dict,
    read_questions,
)
from index.errors import BadQuestionError
from index.normalize import MARKS, normalize
from index.passages import sentences_in, split_passages
from index.sentences import split_sentences
from index.tokens import analyze, tokenize

FAST, VOLUME = 200, 3000  # examples per property: every run / the slow run (CI runs both)
PROPERTIES: dict[str, tuple] = {}


def prop(*strategies):
    """Register a property; it runs FAST examples by default and VOLUME in the slow run."""

    def register(check):
        PROPERTIES[check.__name__] = (check, strategies)
        return check

    return register


def run_property(name: str, n: int) -> None:
    check, strategies = PROPERTIES[name]
    settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])(
        given(*strategies)(check)
    )()


# Any code point at all, lone surrogates included (hypothesis leaves them out unless asked).
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=400)
# Characters the Arabic rules react to: letters, marks, tatweel, both digit sets, every stop and
# separator the splitter knows, quotes, bidi controls, odd spaces and line breaks.
ARABIC_ALPHABET = list(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةىؤئ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"
    "٠١٢٣٤٥٦٧٨٩٫٬0123456789"
    ".!?؟…،؛:«»\"'()"
    " \t\n\r\u00a0\u2028\u2029\u200b\u200c\u200d\u200e\u200f\u202b\u202e\u2066\u2069\ufeff"
    "abcXYZéß"
)
ARABIC_TEXT = st.text(st.sampled_from(ARABIC_ALPHABET), max_size=600)
WORDS = st.lists(
    st.sampled_from(["قال", "المفاوضات", "د.", "أ.ف.ب", "2.5", "٢٫٥", "U.S.", "هـ.", "Talks", "؟", "…", "\n"])
    | st.text(ANY_CHAR, min_size=1, max_size=8),
    max_size=150,
).map(" ".join)
TEXTS = st.one_of(ANY_TEXT, ARABIC_TEXT, WORDS)


# -- normalizer ------------------------------------------------------------------------------------
@prop(TEXTS)
def normalize_is_total_idempotent_and_strips_marks(text: str) -> None:
    n = normalize(text)
    assert isinstance(n, str)
    assert normalize(n) == n
    assert not set(n) & set(MARKS)


@prop(st.text(st.characters(max_codepoint=127), max_size=200))
def normalize_only_lowercases_ascii(text: str) -> None:
    assert normalize(text) == text.lower()


@prop(TEXTS)
def token_offsets_point_into_the_original(text: str) -> None:
    for t in tokenize(text):
        assert text[t.start : t.end] == t.text
        assert t.norm == normalize(t.text) and t.norm
    assert all(isinstance(term, str) and term for term in analyze(text))


# -- sentence splitter ----------------------------------------------------------------------------
@prop(TEXTS, st.integers(min_value=1, max_value=400))
def sentences_are_ordered_trimmed_bounded_and_cover_every_character(text: str, max_chars: int) -> None:
    spans = split_sentences(text, max_chars=max_chars)
    covered = bytearray(len(text))
    prev = 0
    for s, e in spans:
        assert prev <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert e - s <= max_chars
        covered[s:e] = b"\x01" * (e - s)
        prev = e
    assert all(covered[i] or c.isspace() for i, c in enumerate(text))


# -- passages: document[start:end] == passage.text --------------------------------------------------
@prop(TEXTS, st.integers(min_value=1, max_value=80), st.integers(min_value=0, max_value=5))
def passage_offsets_hold_for_arbitrary_unicode(text: str, max_words: int, overlap: int) -> None:
    passages = split_passages("doc", text, max_words, overlap)
    sentences = split_sentences(text)
    assert bool(passages) == bool(sentences)
    starts = {s for s, _ in sentences}
    ends = {e for _, e in sentences}
    for p in passages:
        assert p.doc_id == "doc"
        assert text[p.start : p.end] == p.text
        assert p.start in starts and p.end in ends  # whole sentences only
        inside = sentences_in(p.start, p.end, text)
        assert inside and inside[0][0] == p.start and inside[-1][1] == p.end
        assert all(text[s:e] == text[s:e].strip() and s < e for s, e in inside)
    assert all(a.start < b.start and a.end <= b.end for a, b in zip(passages, passages[1:], strict=False))
    # Every sentence lands in some passage.
    for s, e in sentences:
        assert any(p.start <= s and e <= p.end for p in passages)


# -- the question path --------------------------------------------------------------------------------
NOT_TEXT = st.one_of(
    st.none(), st.integers(), st.floats(), st.binary(max_size=20), st.lists(st.text(max_size=5))
)
QUESTIONS = st.one_of(
    ANY_TEXT,
    ARABIC_TEXT,
    WORDS,
    st.text(ANY_CHAR, min_size=1990, max_size=2100),  # around the length limit
    st.builds(
        lambda pre, post: pre + "كم طائرة حربية دمرت منذ بداية الحرب؟" + post,
        st.text(ANY_CHAR, max_size=20),
        st.text(ANY_CHAR, max_size=20),
    ),
)


@prop(st.one_of(QUESTIONS, NOT_TEXT))
def clean_question_gives_clean_text_or_a_refusal(question: object) -> None:
    try:
        q = clean_question(question)
    except BadQuestionError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert isinstance(q, str) and q == q.strip() and q
    assert len(q) <= 2000
    assert clean_question(q) == q  # idempotent
    assert not any(c in q for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in q)


def index_fingerprint(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture(scope="module")
def small_sanad(sanad_home: Path, tmp_path_factory: pytest.TempPathFactory):
    """A two-article index (one Arabic, one English), the real model and analyzer."""
    from assistant.config import Settings
    from assistant.sanad import Sanad

    corpus = tmp_path_factory.mktemp("fuzz-corpus")
    (corpus / "ar.txt").write_text(
        "وأعلنت هيئة الأركان أنه جرى تدمير 435 طائرة حربية و347 مروحية منذ بداية الحرب. "
        "وقال المتحدث إن المحادثات ستستأنف في العاصمة الأسبوع المقبل.\n",
        encoding="utf-8",
    )
    (corpus / "en.md").write_text(
        "# Harbour\n\nThe harbour crane lifted forty containers on Monday. The mayor opened the new quay.\n",
        encoding="utf-8",
    )
    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "fuzz-index", progress=False))
    report = sanad.add_paths([corpus])
    assert sorted(report.added) == ["ar.txt", "en.md"]
    return sanad


def _ask_many(sanad, n: int) -> None:
    root = sanad.store.root
    before, gen = index_fingerprint(root), sanad.store.current()

    @settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(QUESTIONS, st.sampled_from([None, [], [{"role": "user", "content": "كم طائرة حربية دمرت؟"}]]))
    def ask(question: str, history) -> None:
        try:
            answer = sanad.ask(question, history=history)
        except BadQuestionError as e:
            assert str(e) and "\n" not in str(e)
            return
        assert isinstance(answer, Answer) and answer.text.strip() and answer.lang in ("ar", "en")
        index = sanad.snapshot().index
        for c in answer.citations:
            assert index.document_text(c.doc_id)[c.start : c.end] == c.quote
        for h in answer.retrieved:
            assert index.document_text(h.doc_id)[h.start : h.end] == h.text
        assert sanad.store.current() == gen

    ask()
    assert sanad.store.current() == gen
    assert index_fingerprint(root) == before  # asking never writes


def test_ask_answers_or_refuses_and_never_writes(small_sanad) -> None:
    _ask_many(small_sanad, 150)


@pytest.mark.slow
def test_ask_answers_or_refuses_and_never_writes_at_volume(small_sanad) -> None:
    _ask_many(small_sanad, 3000)


# -- the eval questions file (JSONL) --------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ANY_CHAR, max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
FIELD_VALUES = st.one_of(
    JSON_VALUES, st.sampled_from(["ar", "en", "", " ", "fr", True, False, [], ["x"], [""]])
)
QUESTION_DICTS = st.fixed_dictionaries(
    {},
    optional={
        k: FIELD_VALUES
        for k in ("id", "lang", "question", "answers", "answerable", "evidence", "doc_id", "kind")
    },
)
GOOD_QUESTIONS = st.builds(
    lambda qid, lang, text, answers, evidence: Question(
        qid, lang, text, tuple(answers), bool(answers), evidence, None
    ),
    st.text(ANY_CHAR, min_size=1, max_size=20).filter(str.strip),
    st.sampled_from(["ar", "en"]),
    st.text(ANY_CHAR, min_size=1, max_size=60).filter(str.strip),
    st.lists(st.text(ANY_CHAR, min_size=1, max_size=20).filter(str.strip), max_size=3),
    st.none() | st.text(ANY_CHAR, min_size=1, max_size=40).filter(str.strip),
)


@prop(st.one_of(JSON_VALUES, QUESTION_DICTS))
def question_from_dict_accepts_or_says_why(obj: object) -> None:
    try:
        q = question_from_dict(obj)
    except InvalidQuestion as e:
        assert str(e)
        return
    assert isinstance(q, Question) and q.id.strip() and q.question.strip() and q.lang in ("ar", "en")
    assert q.answerable == bool(q.answers)


LINES = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    JSON_VALUES.map(json.dumps),
    QUESTION_DICTS.map(lambda d: json.dumps(d, ensure_ascii=False)),
    GOOD_QUESTIONS.map(lambda q: json.dumps(question_to_dict(q))),
    st.sampled_from(["[" * 5000, "{" * 5000, '{"id": ' + "9" * 5000 + "}", "\ufeff{}", "NaN", "1e999999"]),
)


@prop(st.lists(LINES, max_size=12))
def parse_lines_accounts_for_every_line_and_never_raises(lines: list[str]) -> None:
    questions, problems = parse_lines(lines, source="fuzz.jsonl")
    non_blank = [n for n, line in enumerate(lines, 1) if line.lstrip("\ufeff").strip()]
    assert len(questions) + len(problems) == len(non_blank)
    assert {p.line for p in problems} <= set(non_blank)
    assert len({q.id for q in questions}) == len(questions)
    assert all(str(p).startswith("fuzz.jsonl:") for p in problems)


@prop(GOOD_QUESTIONS)
def written_questions_read_back_the_same(q: Question) -> None:
    for ensure_ascii in (True, False):
        line = json.dumps(question_to_dict(q), ensure_ascii=ensure_ascii)
        if not ensure_ascii and any(0xD800 <= ord(c) <= 0xDFFF for c in line):
            continue  # not encodable as UTF-8: such a file cannot be written
        assert parse_lines([line]) == ([q], [])


@prop(
    st.binary(max_size=300)
    | st.lists(LINES, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))
)
def read_questions_reads_any_file_or_reports_its_encoding(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "questions.jsonl"
        path.write_bytes(data)
        try:
            questions, problems = read_questions(path)
        except UnicodeDecodeError:
            return  # `sanad eval` turns this into a one-line error (exit 2)
    assert all(isinstance(q, Question) for q in questions)
    assert all(p.source == str(path) for p in problems)


# -- the runs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_property(name: str) -> None:
    run_property(name, FAST)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_property_at_volume(name: str) -> None:
    run_property(name, VOLUME)
