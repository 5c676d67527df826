"""The answer step: read the retrieved passages, weigh the evidence, answer with a cited span or refuse.

The trained reader (`assistant.reader`) picks the short answer; `assistant.reader.abstain` decides
from its scores and the question's coverage whether the articles answer at all; `assistant.compose`
writes the answer and its citation. Without a reader model (none installed, or
`reader_windows = 0`), Sanad quotes the best-covering sentence and gives no short answer.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from assistant.answer import Answer, Hit
from assistant.compose import ABSTAIN, abstention, sentence_answer, span_answer
from assistant.followup import reader_question
from assistant.query import QueryPlan
from assistant.reader.abstain import evidence, should_abstain
from assistant.reader.read import sentence_scores
from assistant.snapshot import Snapshot
from index.errors import ModelNotAvailableError

__all__ = ["ABSTAIN", "extractive_answer"]

log = logging.getLogger(__name__)
MIN_SENTENCE_COVERAGE = 0.3  # without a reader: quote a sentence only if it holds this share of the question


@lru_cache(maxsize=2)
def _reader(precision: str):
    from assistant.reader.read import load_reader

    try:
        return load_reader(precision)
    except ModelNotAvailableError as e:
        log.warning("no reader (%s): answers quote the best sentence without a short answer", e)
        return None


def warm_reader(settings) -> None:
    """Load the reader's graph now (a server does this at start), so no visitor waits for it."""
    if settings.reader_windows > 0:
        _reader(settings.reader_precision)


def extractive_answer(plan: QueryPlan, hits: list[Hit], snap: Snapshot, context: str | None = None) -> Answer:
    """`context`: the earlier question of a follow-up, read after this one."""
    if not hits:
        return abstention(plan.question, plan.lang, hits)
    reader = _reader(snap.settings.reader_precision) if snap.settings.reader_windows > 0 else None
    if reader is None:
        best = sentence_scores(plan, hits, snap)[0]
        if best.coverage < MIN_SENTENCE_COVERAGE:
            return abstention(plan.question, plan.lang, hits)
        return sentence_answer(plan.question, plan.lang, hits, best.hit, best.start, best.end)
    question = reader_question(plan.question, context) if context else plan.question
    reading = reader.read(question, plan, hits, snap, snap.settings.reader_windows)
    ev = evidence(reading)
    if should_abstain(ev, plan.lang, reader.config.abstain):
        return abstention(plan.question, plan.lang, hits)
    return span_answer(plan.question, plan.lang, hits, reading.best)
