"""The answer path as langchain-core Runnables: check -> language -> follow-up -> retrieve -> answer -> sources.

The state is a plain dict that each step extends (`assign`), so any step can be swapped (an LLM
answerer for the extractive one, a different retriever) or invoked alone in a test. Input:
{"question", "history", "top_k", "snapshot", "filter"}; output: an `Answer`. Whatever step
answered, the last one gives every citation its article's metadata and resolves a relative date
in a "when" answer (`assistant.when`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from assistant.answer import Answer
from assistant.extract import extractive_answer
from assistant.followup import resolve_followup
from assistant.query import plan_query
from assistant.question import clean_question, question_language
from assistant.retriever import SanadRetriever, attach_sources, document_to_hit
from assistant.when import resolve_answer_date


def _check(state: dict[str, Any]) -> dict[str, Any]:
    snap = state["snapshot"]
    return {**state, "question": clean_question(state["question"], snap.settings.max_question_chars)}


def _language(state: dict[str, Any]) -> str:
    return question_language(state["question"])


def _context(state: dict[str, Any]) -> str | None:
    return resolve_followup(state["question"], state.get("history"))


def _plan(state: dict[str, Any]):
    return plan_query(state["question"], state["lang"], state["snapshot"], state.get("context"))


def retrieval_step(retriever: SanadRetriever) -> Callable[[dict[str, Any]], list]:
    def run(state: dict[str, Any]) -> list:
        docs = retriever.invoke(
            state["question"],
            plan=state["plan"],
            snapshot=state["snapshot"],
            top_k=state.get("top_k") or retriever.top_k,
            filter=state.get("filter"),
        )
        return [document_to_hit(d) for d in docs]

    return run


def _extractive(state: dict[str, Any]) -> Answer:
    answer = extractive_answer(state["plan"], state["hits"], state["snapshot"], state.get("context"))
    if state.get("context"):
        answer.standalone_question = f"{state['context']} → {state['question']}"
    return answer


def assign(key: str, step: Callable[[dict[str, Any]], Any], name: str) -> Runnable:
    """A step that returns the state with `key` set to `step(state)`.

    Like `RunnablePassthrough.assign`, but inline: that one runs every step through a thread
    pool (it is a RunnableParallel), which cost several ms per question here for no parallelism.
    """
    return RunnableLambda(lambda state: {**state, key: step(state)}, name=name)


def finalise(answer: Answer, state: dict[str, Any]) -> Answer:
    """The one place a built answer is completed: sources' metadata, then a relative date resolved."""
    snap = state["snapshot"]
    return resolve_answer_date(attach_sources(answer, snap), snap)


class Finalised(Runnable[dict[str, Any], Answer]):
    """An answer step followed by `finalise`; streamed text pieces pass through untouched."""

    def __init__(self, inner: Runnable) -> None:
        self.inner = inner

    def invoke(self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        return finalise(self.inner.invoke(input, config), input)

    def stream(self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        for chunk in self.inner.stream(input, config):
            yield finalise(chunk, input) if isinstance(chunk, Answer) else chunk


def build_chain(retriever: SanadRetriever, answerer: Runnable | None = None) -> Runnable:
    """The full answer path; `answerer` replaces the extractive step (e.g. an LLM answerer)."""
    return (
        RunnableLambda(_check, name="check")
        | assign("lang", _language, name="language")
        | assign("context", _context, name="followup")
        | assign("plan", _plan, name="plan")
        | assign("hits", retrieval_step(retriever), name="retrieve")
        | Finalised(answerer or RunnableLambda(_extractive, name="extractive_answer"))
    )
