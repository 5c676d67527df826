"""The answer path as langchain-core Runnables: check -> language -> follow-up -> retrieve -> answer.

The state is a plain dict that each step extends (`RunnablePassthrough.assign`), so any step can
be swapped (an LLM answerer for the extractive one, a different retriever) or invoked alone in a
test. Input: {"question", "history", "top_k", "snapshot"}; output: an `Answer`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

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


def retrieval_step(retriever: SanadRetriever) -> Runnable:
    def run(state: dict[str, Any]) -> list:
        docs = retriever.invoke(
            state["question"],
            plan=state["plan"],
            snapshot=state["snapshot"],
            top_k=state.get("top_k") or retriever.top_k,
        )
        return [document_to_hit(d) for d in docs]

    return RunnableLambda(run, name="retrieve")


def _extractive(state: dict[str, Any]) -> Answer:
    answer = extractive_answer(state["plan"], state["hits"], state["snapshot"], state.get("context"))
    if state.get("context"):
        answer.standalone_question = f"{state['context']} → {state['question']}"
    return answer


def build_chain(retriever: SanadRetriever, answerer: Runnable | None = None) -> Runnable:
    """The full answer path; `answerer` replaces the extractive step (e.g. an LLM answerer)."""
    return (
        RunnableLambda(_check, name="check")
        | RunnablePassthrough.assign(lang=RunnableLambda(_language, name="language"))
        | RunnablePassthrough.assign(context=RunnableLambda(_context, name="followup"))
        | RunnablePassthrough.assign(plan=RunnableLambda(_plan, name="plan"))
        | RunnablePassthrough.assign(hits=retrieval_step(retriever))
        | (answerer or RunnableLambda(_extractive, name="extractive_answer"))
    )
