"""The answer path as Runnables: each step on its own, and the whole chain."""

from __future__ import annotations

import pytest
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer, Hit
from assistant.chain import build_chain, retrieval_step
from assistant.query import QueryPlan
from index.errors import BadQuestionError

QUESTION = "  من يرأس الوفد الأوكراني\u200f للمفاوضات؟ "


def initial_state(sanad, question: str = QUESTION, history: list | None = None) -> dict:
    return {"question": question, "history": history or [], "top_k": 3, "snapshot": sanad.snapshot()}


def test_chain_is_a_runnable_sequence_of_named_steps(sample_sanad) -> None:
    chain = sample_sanad.chain
    assert isinstance(chain, Runnable)
    assert len(chain.steps) == 6


def test_each_step_can_be_invoked_alone(sample_sanad) -> None:
    steps = sample_sanad.chain.steps
    state = initial_state(sample_sanad)

    state = steps[0].invoke(state)  # check
    assert state["question"] == "من يرأس الوفد الأوكراني للمفاوضات؟"

    state = steps[1].invoke(state)  # language
    assert state["lang"] == "ar"

    state = steps[2].invoke(state)  # follow-up
    assert state["context"] is None

    state = steps[3].invoke(state)  # plan
    assert isinstance(state["plan"], QueryPlan) and state["plan"].terms

    state = steps[4].invoke(state)  # retrieve
    hits = state["hits"]
    assert 0 < len(hits) <= 3 and all(isinstance(h, Hit) for h in hits)

    answer = steps[5].invoke(state)  # answer
    assert isinstance(answer, Answer) and not answer.abstained
    assert "رستم عمروف" in answer.text

    whole = sample_sanad.chain.invoke(initial_state(sample_sanad))
    assert whole.text == answer.text
    assert [c.to_dict() for c in whole.citations] == [c.to_dict() for c in answer.citations]


def test_check_step_refuses_bad_questions(sample_sanad) -> None:
    with pytest.raises(BadQuestionError):
        sample_sanad.chain.steps[0].invoke(initial_state(sample_sanad, question="\x07"))
    with pytest.raises(BadQuestionError):
        sample_sanad.chain.invoke(initial_state(sample_sanad, question="   "))


def test_retrieval_step_alone(sample_sanad) -> None:
    state = initial_state(sample_sanad, "كم دبابة دمرت القوات الأوكرانية؟")
    for step in sample_sanad.chain.steps[:4]:
        state = step.invoke(state)
    retrieve = sample_sanad.chain.steps[4]
    assert retrieve.name == "retrieve"
    hits = retrieve.invoke({**state, "top_k": 2})["hits"]
    assert hits == retrieval_step(sample_sanad.retriever)({**state, "top_k": 2})
    assert len(hits) == 2
    text = sample_sanad.snapshot().index.document_text(hits[0].doc_id)
    assert all(text[h.start : h.end] == h.text for h in hits if h.doc_id == hits[0].doc_id)


def test_followup_step_uses_history(sample_sanad) -> None:
    history = [
        {"role": "user", "content": "كم طائرة حربية دمرت منذ بداية الحرب؟"},
        {"role": "assistant", "content": "..."},
    ]
    state = initial_state(sample_sanad, "وكم مروحية؟", history)
    for step in sample_sanad.chain.steps[:3]:
        state = step.invoke(state)
    assert state["context"] == history[0]["content"]


def test_answer_step_can_be_swapped(sample_sanad) -> None:
    def echo(state: dict) -> Answer:
        return Answer(
            state["question"], state["lang"], f"{len(state['hits'])} passages", False, [], state["hits"]
        )

    chain = build_chain(sample_sanad.retriever, RunnableLambda(echo))
    answer = chain.invoke(initial_state(sample_sanad))
    assert answer.text == "3 passages"


def test_steps_run_inline_without_a_thread_pool(sample_sanad) -> None:
    # RunnablePassthrough.assign would run each step on a pool thread; ours stay on the caller's.
    import threading

    seen: list[str] = []
    chain = sample_sanad.chain
    state = initial_state(sample_sanad, "كم دبابة دمرت القوات الأوكرانية؟")
    from langchain_core.callbacks import BaseCallbackHandler

    class Threads(BaseCallbackHandler):
        def on_chain_start(self, *args, **kwargs) -> None:
            seen.append(threading.current_thread().name)

    answer = chain.invoke(state, config={"callbacks": [Threads()]})
    assert answer.text and len(seen) >= 6
    assert set(seen) == {threading.current_thread().name}
