"""Read the retrieved passages: which windows, the reader's spans in them, and the evidence for answering.

A 12-layer reader costs ~8 GFLOP per 192-token window, so a question cannot afford every window of
every passage. The windows read are centred on the retrieved passages' best sentences: a sentence
scores the idf-weighted share of the question's terms it holds (an English question's through
their Arabic translations, from the query plan), plus a small prior for the passage's rank; the
best `budget` distinct windows are read in one batch. The answer is the best-scoring span over
all windows read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.reader.decode import Span, window_spans
from assistant.reader.windows import Encoded, Window, encode, encode_batch, windows
from index.builder import TEXT_FIELD
from index.sentences import split_sentences
from index.tokens import analyze

if TYPE_CHECKING:
    from assistant.answer import Hit
    from assistant.query import QueryPlan
    from assistant.reader.weights import ReaderConfig
    from assistant.snapshot import Snapshot

RANK_PRIOR = 0.15  # coverage a sentence of the first passage gains over one of the second, halving onwards


@dataclass(frozen=True)
class Sentence:
    hit: int  # rank of the passage it belongs to
    start: int  # offsets into the passage text
    end: int
    coverage: float  # idf-weighted share of the question's terms it holds
    score: float  # coverage + the passage's rank prior: the order windows are chosen in


@dataclass(frozen=True)
class Reading:
    """What the reader found: spans best first (offsets into their passage's text), and the evidence."""

    spans: list[Span]
    sentences: list[Sentence]  # every scored sentence, best first
    windows_read: int

    @property
    def best(self) -> Span | None:
        return self.spans[0] if self.spans else None


def sentence_scores(plan: QueryPlan, hits: list[Hit], snap: Snapshot) -> list[Sentence]:
    """Every sentence of the hits, best covering the question first (ties: earlier passage, earlier sentence)."""
    terms = plan.all_terms()
    lex = snap.index.lexical.get(TEXT_FIELD)
    weight = {t: w * (lex.idf(t) if lex is not None else 1.0) for t, w in terms.items()}
    total = sum(weight.values()) or 1.0
    out = []
    for rank, h in enumerate(hits):
        prior = RANK_PRIOR / (2**rank)
        for s, e in split_sentences(h.text):
            have = set(analyze(h.text[s:e]))
            cov = sum(w for t, w in weight.items() if t in have) / total
            out.append(Sentence(rank, s, e, cov, cov + prior))
    out.sort(key=lambda x: (-x.score, x.hit, x.start))
    return out


def choose_windows(
    question: Encoded, passages: list[Encoded], sentences: list[Sentence], max_len: int, stride: int, budget: int
) -> list[Window]:
    """Up to `budget` windows, one centred on each of the best sentences not already inside a chosen one."""
    chosen: list[Window] = []
    for sent in sentences:
        if len(chosen) >= budget:
            break
        if any(w.passage == sent.hit and w.offsets and w.offsets[0][0] <= sent.start and sent.end <= w.offsets[-1][1] for w in chosen):
            continue
        ws = windows(question, passages[sent.hit], max_len, stride, passage_index=sent.hit, span=(sent.start, sent.end))
        if ws:
            chosen.append(ws[0])
    return chosen


class Reader:
    """The trained reader, loaded once per process: tokenizer, ONNX session, window sizes."""

    def __init__(self, base_dir: Path, graph: Path, config: ReaderConfig, threads: int | None = None):
        from tokenizers import Tokenizer

        from assistant.reader.session import ReaderSession

        self.config = config
        self.tokenizer = Tokenizer.from_file(str(base_dir / "tokenizer.json"))
        self.session = ReaderSession(graph, threads)
        self._cache: dict[tuple[str, int, int], Encoded] = {}
        self._lock = threading.Lock()

    def _passages(self, hits: list[Hit]) -> list[Encoded]:
        """The hits' token ids and offsets, encoded once per passage (questions share their passages)."""
        keys = [(h.doc_id, h.start, h.end) for h in hits]
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            new = dict(zip((keys[i] for i in missing), encode_batch(self.tokenizer, [hits[i].text for i in missing]), strict=True))
            found.update(new)
            with self._lock:
                if len(self._cache) > 4096:
                    self._cache.clear()
                self._cache.update(new)
        return [found[k] for k in keys]

    def read(self, question: str, plan: QueryPlan, hits: list[Hit], snap: Snapshot, budget: int) -> Reading:
        if not hits:
            return Reading([], [], 0)
        sentences = sentence_scores(plan, hits, snap)
        q = encode(self.tokenizer, question)
        chosen = choose_windows(q, self._passages(hits), sentences, self.config.max_len, self.config.stride, budget)
        spans: list[Span] = []
        for w, (s, e) in zip(chosen, self.session.run(chosen), strict=True):
            spans += window_spans(w, s, e, hits[w.passage].text, self.config.max_answer_tokens, top=5)
        spans.sort(key=lambda x: -x.score)
        return Reading(spans, sentences, len(chosen))


@lru_cache(maxsize=2)
def load_reader(precision: str = "int8", threads: int | None = None) -> Reader:
    """The process-wide reader (raises ModelNotAvailableError when it cannot be loaded)."""
    from assistant.reader.export import ensure_graph
    from assistant.reader.weights import load_config
    from index.e5_convert import ensure_e5_model

    base = ensure_e5_model()
    return Reader(base, ensure_graph(base, precision=precision), load_config(), threads)
