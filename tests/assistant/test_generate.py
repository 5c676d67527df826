"""The optional LLM answer step, with langchain-core's fake chat models: citation checks and streaming."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, SystemMessage

from assistant.answer import Answer, Hit
from assistant.chain import build_chain
from assistant.extract import ABSTAIN
from assistant.generate import (
    LLMAnswerer,
    MarkerFilter,
    answer_from_text,
    build_messages,
    llm_answerer,
    load_chat_model,
    validate_citations,
)
from assistant.sanad import Sanad
from index.errors import ModelNotAvailableError

DOC = "دمرت القوات 320 دبابة. وأسقطت الدفاعات 87 طائرة حربية."
HITS = [
    Hit(0, "news.txt", 0, 22, 1.0, DOC[0:22]),
    Hit(1, "news.txt", 23, len(DOC), 0.5, DOC[23:]),
]


def state(question: str = "كم طائرة حربية أسقطت؟", lang: str = "ar", hits: list[Hit] | None = None) -> dict:
    return {"question": question, "lang": lang, "hits": HITS if hits is None else hits, "context": None}


def fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def test_messages_number_the_passages_and_ask_for_the_question_language() -> None:
    msgs = build_messages("How many warplanes?", "en", HITS)
    assert isinstance(msgs[0], SystemMessage) and "Answer in English" in msgs[0].content
    assert "[1] " + HITS[0].text in msgs[1].content and "[2] " + HITS[1].text in msgs[1].content
    assert "Question: How many warplanes?" in msgs[1].content
    assert "Answer in Arabic" in build_messages("كم؟", "ar", HITS)[0].content


@pytest.mark.parametrize(
    ("text", "clean", "cited"),
    [
        ("87 [2].", "87 [2].", [2]),
        ("87 [7].", "87.", []),  # invented: there is no passage 7
        ("87 [0] and 320 [1]", "87 and 320 [1]", [1]),
        ("87 [2, 9] [1،2]", "87 [2] [1][2]", [2, 1]),
        ("no markers at all", "no markers at all", []),
        ("a list [x] stays", "a list [x] stays", []),
    ],
)
def test_markers_are_checked_against_the_passages_given(text: str, clean: str, cited: list[int]) -> None:
    assert validate_citations(text, 2) == (clean, cited)


def test_valid_citation_gives_an_answer_citing_that_passage() -> None:
    answer = LLMAnswerer(fake("أسقطت الدفاعات 87 طائرة حربية [2].")).invoke(state())
    assert not answer.abstained
    assert answer.text == "أسقطت الدفاعات 87 طائرة حربية [2]."
    assert [c.n for c in answer.citations] == [2]
    c = answer.citations[0]
    assert DOC[c.start : c.end] == c.quote == HITS[1].text


def test_invented_citation_is_removed_and_the_rest_kept() -> None:
    answer = LLMAnswerer(fake("87 طائرة [2] و320 دبابة [7].")).invoke(state())
    assert answer.text == "87 طائرة [2] و320 دبابة."
    assert [c.n for c in answer.citations] == [2]


def test_only_invented_citations_means_abstention() -> None:
    answer = LLMAnswerer(fake("87 warplanes [7].")).invoke(state(lang="en"))
    assert answer.abstained and answer.text == ABSTAIN["en"] and answer.citations == []


def test_answer_without_any_citation_is_an_abstention() -> None:
    model = FakeListChatModel(responses=["I believe it was about 90 planes."])
    answer = LLMAnswerer(model).invoke(state(lang="en"))
    assert answer.abstained and answer.text == ABSTAIN["en"]


def test_no_passages_no_model_call() -> None:
    model = FakeListChatModel(responses=[])  # would raise if called
    answer = LLMAnswerer(model).invoke(state(hits=[]))
    assert answer.abstained and answer.text == ABSTAIN["ar"]


def test_streaming_yields_text_pieces_then_the_checked_answer() -> None:
    out = list(LLMAnswerer(fake("87 طائرة [2] و320 دبابة [7] [1].")).stream(state()))
    pieces, final = out[:-1], out[-1]
    assert all(isinstance(p, str) for p in pieces) and len(pieces) > 1
    assert isinstance(final, Answer)
    assert "[7]" not in "".join(pieces)  # an invalid marker never reaches the screen
    assert final.text == "87 طائرة [2] و320 دبابة [1]."
    assert [c.n for c in final.citations] == [1, 2]


def test_marker_filter_handles_markers_split_across_chunks() -> None:
    f = MarkerFilter(3)
    shown = "".join([f.feed("one ["), f.feed("2"), f.feed("] two [1"), f.feed("2] three [3]"), f.flush()])
    assert shown == "one [2] two  three [3]"


def test_marker_filter_lets_long_brackets_through() -> None:
    f = MarkerFilter(3)
    text = "[" + "x" * 40
    assert f.feed(text) + f.flush() == text


def test_answer_from_text_keeps_one_citation_per_passage() -> None:
    a = answer_from_text("320 [1] 87 [2] again [1]", "q", "en", HITS)
    assert [c.n for c in a.citations] == [1, 2]


def test_bad_model_spec_is_a_clear_error() -> None:
    with pytest.raises(ModelNotAvailableError, match="cannot use the chat model"):
        load_chat_model("no-such-provider-model")


def test_llm_answerer_accepts_a_model_object() -> None:
    model = fake("x [1]")
    assert llm_answerer(model).model is model


def test_chain_with_an_llm_answers_and_streams_through_sanad(sample_sanad) -> None:
    llm = Sanad(sample_sanad.settings)
    llm.chain = build_chain(llm.retriever, LLMAnswerer(fake("الجواب [1] و[9].", "بلا مصدر.")))
    out = list(llm.ask_stream("كم طائرة حربية دمرت منذ بداية الحرب؟"))
    final = out[-1]
    assert isinstance(final, Answer) and not final.abstained
    assert final.text == "الجواب [1] و."
    assert final.citations[0].doc_id == final.retrieved[0].doc_id and final.latency_ms > 0
    assert "".join(p for p in out[:-1] if isinstance(p, str)).startswith("الجواب [1]")
    # second reply cites nothing: the same chain abstains, in the question's language
    answer = llm.ask("How many warplanes were destroyed?")
    assert answer.abstained and answer.text == ABSTAIN["en"]


def test_ask_stream_without_an_llm_yields_the_extractive_answer(sample_sanad) -> None:
    out = list(sample_sanad.ask_stream("كم طائرة حربية دمرت منذ بداية الحرب؟"))
    assert len(out) == 1 and isinstance(out[0], Answer) and not out[0].abstained
