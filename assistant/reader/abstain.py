"""Answer or refuse: a logistic decision over the reader's and retrieval's evidence, per language.

Features (`Evidence`): the best span's score (start + end logit), its margin over the no-answer
score of the window it came from, the share of the question's terms in the sentence holding it,
and the best such share over all sentences read. The weights and the probability threshold per
question language are fitted by `scripts/calibrate_abstention.py` on questions whose answer is in
the index and the same questions with it taken out (the XQuAD dev first half, and a corpus of news
articles that does not hold them), and stored in the reader's config.json.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass

from assistant.reader.read import Reading

FEATURES = ("span", "margin", "span_coverage", "coverage")


@dataclass(frozen=True)
class Evidence:
    span: float
    margin: float
    span_coverage: float
    coverage: float

    def vector(self) -> tuple[float, ...]:
        return astuple(self)

    def explain(self) -> str:
        return " ".join(f"{k}={v:.2f}" for k, v in zip(FEATURES, self.vector(), strict=True))


def evidence(reading: Reading) -> Evidence | None:
    """None when the reader found no span at all."""
    best = reading.best
    if best is None:
        return None
    holding = [s for s in reading.sentences if s.hit == best.passage and s.start <= best.start < s.end]
    span_cov = holding[0].coverage if holding else 0.0
    top_cov = max((s.coverage for s in reading.sentences), default=0.0)
    return Evidence(best.score, best.score - best.null, span_cov, top_cov)


def answer_probability(ev: Evidence, lang: str, model: dict) -> float:
    """P(the articles answer the question), from the fitted model; 1.0 when none is fitted."""
    per_lang = model.get(lang) or model.get("en")
    if not per_lang:
        return 1.0
    z = float(per_lang["bias"]) + sum(
        float(w) * (x - float(m)) / float(s)
        for w, x, m, s in zip(per_lang["weights"], ev.vector(), per_lang["mean"], per_lang["scale"], strict=True)
    )
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def should_abstain(ev: Evidence | None, lang: str, model: dict) -> bool:
    if ev is None:
        return True
    per_lang = model.get(lang) or model.get("en") or {}
    return answer_probability(ev, lang, model) < float(per_lang.get("threshold", 0.0))
