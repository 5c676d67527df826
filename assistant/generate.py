"""Optional generated answers: a chat model reads the numbered passages and answers with [n] citations.

Only used when a model is configured (`--llm provider:model`, LangChain's `init_chat_model`, so any
OpenAI-compatible endpoint or a local server works); otherwise the extractive path answers and
nothing needs a network. A model can cite a passage it was never given or cite nothing at all, so
its markers are checked against the passages sent: a marker that points nowhere is removed, and
an answer left without a valid citation becomes an abstention. Text is streamed as it arrives,
with markers held back until they are known to be valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig

from assistant.answer import Answer, Citation, Hit
from assistant.compose import ABSTAIN
from index.errors import ModelNotAvailableError

LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
INSTRUCTIONS = (
    "You answer questions about news articles, using only the numbered passages the user gives you.\n"
    "- Answer in {language}, the language of the question, even when the passages are in another language.\n"
    "- Be brief: when the question asks for a name, a number, a place or a date, give it first.\n"
    "- After every statement, cite the passage that supports it by its number in square brackets, e.g. [2].\n"
    "- Cite only the numbers of the passages below. Never invent facts that the passages do not state.\n"
    "- If the passages do not answer the question, say so in one sentence and cite nothing."
)
# [3] or [1, 2] / [1،2]; a marker is a bracket holding only numbers.
MARKER = re.compile(r"\[\s*(\d+(?:\s*[,،]\s*\d+)*)\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([.,;:!?،؛؟])")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")


def build_messages(question: str, lang: str, hits: list[Hit]) -> list[BaseMessage]:
    """The system instructions and the numbered passages with the question."""
    passages = "\n\n".join(f"[{n}] {h.text}" for n, h in enumerate(hits, start=1))
    user = f"Passages:\n\n{passages}\n\nQuestion: {question}"
    return [SystemMessage(INSTRUCTIONS.format(language=LANGUAGE_NAMES.get(lang, "English"))), HumanMessage(user)]


def validate_citations(text: str, n_passages: int) -> tuple[str, list[int]]:
    """The text with only markers that point at a given passage ([1, 2] -> [1][2]), and those numbers."""
    cited: list[int] = []

    def fix(m: re.Match[str]) -> str:
        numbers = [int(x) for x in re.split(r"[,،]", m.group(1))]
        valid = [n for n in numbers if 1 <= n <= n_passages]
        cited.extend(valid)
        return "".join(f"[{n}]" for n in valid)

    out = MARKER.sub(fix, text)
    out = _MULTI_SPACE.sub(" ", _SPACE_BEFORE_PUNCT.sub(r"\1", out))
    return out.strip(), list(dict.fromkeys(cited))


def answer_from_text(text: str, question: str, lang: str, hits: list[Hit]) -> Answer:
    """An `Answer` from the model's reply: validated markers, one citation per cited passage."""
    clean, cited = validate_citations(text, len(hits))
    if not cited:
        return Answer(question, lang, ABSTAIN.get(lang, ABSTAIN["en"]), True, [], hits)
    citations = []
    for n in sorted(cited):
        h = hits[n - 1]
        citations.append(Citation(n, h.doc_id, h.start, h.end, h.text, h.start, h.end, h.text))
    return Answer(question, lang, clean, False, citations, hits)


class MarkerFilter:
    """Streams text while holding back a `[...` until it closes, then keeps it only if valid."""

    def __init__(self, n_passages: int) -> None:
        self.n = n_passages
        self.pending = ""

    def feed(self, chunk: str) -> str:
        self.pending += chunk
        out = []
        while self.pending:
            start = self.pending.find("[")
            if start < 0:
                out.append(self.pending)
                self.pending = ""
                break
            out.append(self.pending[:start])
            self.pending = self.pending[start:]
            end = self.pending.find("]")
            if end < 0:
                if len(self.pending) > 24:  # not a marker after all: let it through
                    out.append(self.pending)
                    self.pending = ""
                break
            piece = self.pending[: end + 1]
            self.pending = self.pending[end + 1 :]
            out.append(validate_citations(piece, self.n)[0] if MARKER.fullmatch(piece) else piece)
        return "".join(out)

    def flush(self) -> str:
        rest, self.pending = self.pending, ""
        return rest


def _text_of(chunk: Any) -> str:
    text = getattr(chunk, "text", None)
    if isinstance(text, str):  # langchain-core 1.x: a property (a str that is also callable)
        return str(text)
    if callable(text):  # older langchain-core: a method
        text = text()
        if isinstance(text, str):
            return text
    content = getattr(chunk, "content", "")
    return content if isinstance(content, str) else ""


def _merge_state(chunks: Iterator[dict[str, Any]]) -> dict[str, Any]:
    """A streamed chain hands the last step its input in pieces (assign steps add keys)."""
    state: dict[str, Any] = {}
    for chunk in chunks:
        state.update(chunk)
    return state


class LLMAnswerer(Runnable[dict[str, Any], Answer]):
    """The answer step of the chain with a chat model: `invoke` gives an `Answer`; `stream` gives
    text pieces as they arrive (markers checked) and the final `Answer` last."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def _parts(self, state: dict[str, Any]) -> tuple[str, str, list[Hit]]:
        question = state["question"]
        if state.get("context"):
            question = f"{state['context']} → {question}"
        return question, state.get("lang", "en"), list(state.get("hits") or [])

    def _finish(self, answer: Answer, state: dict[str, Any]) -> Answer:
        answer.question = state["question"]
        if state.get("context"):
            answer.standalone_question = f"{state['context']} → {state['question']}"
        if not answer.abstained and state.get("plan") is not None and state.get("snapshot") is not None:
            # the reader's span is still computed and shown as the cited evidence (highlighted)
            from assistant.extract import extractive_answer

            read = extractive_answer(state["plan"], answer.retrieved, state["snapshot"], state.get("context"))
            if not read.abstained and read.citations:
                answer.short = read.short
                answer.citations.append(replace(read.citations[0], n=len(answer.citations) + 1))
        return answer

    def invoke(self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        question, lang, hits = self._parts(input)
        if not hits:
            return self._finish(Answer(question, lang, ABSTAIN.get(lang, ABSTAIN["en"]), True, [], hits), input)
        reply = self.model.invoke(build_messages(question, lang, hits), config)
        return self._finish(answer_from_text(_text_of(reply), question, lang, hits), input)

    def stream(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[str | Answer]:
        question, lang, hits = self._parts(input)
        if not hits:
            yield self._finish(Answer(question, lang, ABSTAIN.get(lang, ABSTAIN["en"]), True, [], hits), input)
            return
        pieces: list[str] = []
        marks = MarkerFilter(len(hits))
        for chunk in self.model.stream(build_messages(question, lang, hits), config):
            text = _text_of(chunk)
            pieces.append(text)
            shown = marks.feed(text)
            if shown:
                yield shown
        rest = marks.flush()
        if rest:
            yield rest
        yield self._finish(answer_from_text("".join(pieces), question, lang, hits), input)

    def transform(
        self, input: Iterator[dict[str, Any]], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[str | Answer]:
        yield from self.stream(_merge_state(input), config)


def load_chat_model(spec: str) -> BaseChatModel:
    """`provider:model` (e.g. `openai:gpt-4o-mini`, `ollama:qwen2.5`) through LangChain's init_chat_model.

    Endpoint and keys come from the provider's usual environment variables (OPENAI_BASE_URL,
    OPENAI_API_KEY ...), so an OpenAI-compatible local server works too.
    """
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as e:
        msg = "--llm needs the 'langchain' package: pip install 'sanad[llm]'"
        raise ModelNotAvailableError(msg) from e
    try:
        return init_chat_model(spec)
    except (ImportError, ValueError) as e:
        msg = f"cannot use the chat model {spec!r}: {e}"
        raise ModelNotAvailableError(msg) from e


def llm_answerer(spec: str | BaseChatModel) -> LLMAnswerer:
    """The chain's answer step backed by a chat model (a spec string, or a model object in tests)."""
    model = load_chat_model(spec) if isinstance(spec, str) else spec
    return LLMAnswerer(model)


def stream_answer(answerer: LLMAnswerer, state: dict[str, Any]) -> Iterator[str | Answer]:
    """Text pieces, then the validated `Answer` (for callers holding the chain state themselves)."""
    yield from answerer.stream(state)
