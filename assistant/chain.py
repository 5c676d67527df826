"""The answer path as langchain-core Runnables: check -> language -> follow-up -> retrieve -> answer.

The state is a plain dict that each step extends (`assign`), so any step can be swapped (an LLM
answerer for the extractive one, a different retriever) or invoked alone in a test. Input:
{"question", "history", "top_k", "snapshot"}; output: an `Answer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer
from assistant.extract import extractive_answer
from assistant.followup import resolve_followup
from assistant.query import plan_query
from assistant.question import clean_question, question_language
from assistant.retriever import SanadRetriever, document_to_hit


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


def build_chain(retriever: SanadRetriever, answerer: Runnable | None = None) -> Runnable:
    """The full answer path; `answerer` replaces the extractive step (e.g. an LLM answerer)."""
    return (
        RunnableLambda(_check, name="check")
        | assign("lang", _language, name="language")
        | assign("context", _context, name="followup")
        | assign("plan", _plan, name="plan")
        | assign("hits", retrieval_step(retriever), name="retrieve")
        | (answerer or RunnableLambda(_extractive, name="extractive_answer"))
    )
