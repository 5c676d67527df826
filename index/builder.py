"""Adding articles to an index in memory: split, analyse, embed, and append or replace.

Pure with respect to disk: it takes the current `IndexData` (or None) and returns the next one;
`IndexStore.save` makes it durable. Unchanged documents are skipped, changed ones replace their
old passages, and existing vectors are carried over, never recomputed. A large addition goes in
groups (`add_in_batches`), each made durable by the caller's `commit` before the next starts, so a
stopped run loses at most one group and a rerun skips every document already committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.bridge import dense_text
from index.dense import DenseIndex, choose_kind
from index.documents import Document
from index.lexical import LexicalIndex
from index.passages import split_passages
from index.store import DocRecord, IndexData
from index.tokens import analyze, char_grams, tokenize

Progress = Callable[[int, int, str], None]
TEXT_FIELD = "text"  # light-stemmed words
GRAMS_FIELD = "grams"  # character 4-grams of words
FIELDS = (TEXT_FIELD, GRAMS_FIELD)


@dataclass
class BuildOptions:
    model: str
    dim: int
    languages: list[str]
    bridge: str
    passage_words: int = 120
    passage_overlap: int = 1
    dense_kind: str = "auto"
    dense_threshold: int = 200_000
    batch_size: int = 64
    lexicon: str = ""  # checksum of the lexicon used for glossing, "" if none

    def as_settings(self) -> dict:
        return {
            "model": self.model,
            "dim": self.dim,
            "languages": sorted(self.languages),
            "bridge": self.bridge,
            "passage_words": self.passage_words,
            "passage_overlap": self.passage_overlap,
            "lexicon": self.lexicon,
        }


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


def empty_index(opts: BuildOptions) -> IndexData:
    return IndexData(
        opts.as_settings(),
        [],
        np.zeros(0, np.int32),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        {name: LexicalIndex.empty() for name in FIELDS},
        DenseIndex(np.zeros((0, opts.dim), np.float32), "flat"),
    )


def passage_terms(text: str, title: str = "") -> dict[str, list[str]]:
    """The terms of every lexical field for one passage (its document's title counts too)."""
    body = f"{title}\n{text}" if title else text
    return {TEXT_FIELD: analyze(body), GRAMS_FIELD: char_grams(body)}


def add_documents(
    current: IndexData | None,
    docs: Sequence[Document],
    opts: BuildOptions,
    embed: Callable[[list[str], Callable[[int, int], None] | None], np.ndarray],
    glosser: Callable[[str], str] | None = None,
    progress: Progress | None = None,
    report: AddReport | None = None,
    name_indexer: Callable[[list[list[str]]], dict[str, list[str]]] | None = None,
) -> tuple[IndexData, AddReport]:
    """The index with `docs` added (new ids), replaced (changed text) or skipped (unchanged)."""
    report = report or AddReport()
    data = current if current is not None else empty_index(opts)
    fresh: list[Document] = []
    replaced_ids: set[str] = set()
    seen: set[str] = set()
    for doc in docs:
        if doc.doc_id in seen:
            report.refused.append((doc.doc_id, "given twice in one batch; the first copy was used"))
            continue
        seen.add(doc.doc_id)
        i = data.doc_index(doc.doc_id)
        if i is not None and data.documents[i].sha256 == doc.sha256:
            report.unchanged.append(doc.doc_id)
            continue
        (report.replaced if i is not None else report.added).append(doc.doc_id)
        if i is not None:
            replaced_ids.add(doc.doc_id)
        fresh.append(doc)
    if not fresh:
        return data, report

    # Drop the old passages of replaced documents.
    documents, doc_of, starts, ends = data.documents, data.doc_of, data.starts, data.ends
    lexical, dense = dict(data.lexical), data.dense
    if replaced_ids:
        gone = np.array([d.doc_id in replaced_ids for d in documents], dtype=bool)
        keep_rows = ~gone[doc_of] if len(doc_of) else np.zeros(0, bool)
        remap = np.cumsum(~gone) - 1
        documents = [d for d, g in zip(documents, gone, strict=True) if not g]
        doc_of, starts, ends = remap[doc_of[keep_rows]], starts[keep_rows], ends[keep_rows]
        lexical = {k: v.select_rows(keep_rows) for k, v in lexical.items()}
        dense = dense.select_rows(keep_rows)

    # Split and analyse the new documents.
    new_docs = [DocRecord(d.doc_id, d.sha256, d.text, d.title) for d in fresh]
    p_doc, p_start, p_end, p_terms, p_dense = [], [], [], [], []
    doc_norms: list[list[str]] = []
    total_chars, done_chars = sum(len(d.text) for d in new_docs), 0
    for k, doc in enumerate(new_docs):
        if name_indexer is not None:
            doc_norms.append([t.norm for t in tokenize(doc.text)])
        for p in split_passages(doc.doc_id, doc.text, opts.passage_words, opts.passage_overlap):
            p_doc.append(len(documents) + k)
            p_start.append(p.start)
            p_end.append(p.end)
            p_terms.append(passage_terms(p.text, doc.title))
            body = f"{doc.title}\n{p.text}" if doc.title else p.text
            p_dense.append(dense_text(body, opts.bridge, glosser))
            if progress and len(p_doc) % 16 == 0:  # a long article moves the bar too
                progress(done_chars + p.end, total_chars, "splitting")
        done_chars += len(doc.text)
        if progress:
            progress(done_chars, total_chars, "splitting")
    report.passages += len(p_doc)

    def embed_progress(done: int, total: int) -> None:
        if progress:
            progress(done, total, "embedding")

    vectors = embed(p_dense, embed_progress) if p_dense else np.zeros((0, opts.dim), np.float32)
    for name in FIELDS:
        lexical[name] = lexical.get(name, LexicalIndex.empty()).append([t[name] for t in p_terms])
    total = dense.n_rows + len(vectors)
    dense = dense.with_kind(choose_kind(opts.dense_kind, total, opts.dense_threshold)).append(vectors)
    names = merge_names(data.names, name_indexer(doc_norms)) if name_indexer is not None else dict(data.names)
    out = IndexData(
        opts.as_settings(),
        documents + new_docs,
        np.concatenate([doc_of, np.asarray(p_doc, dtype=np.int32)]).astype(np.int32),
        np.concatenate([starts, np.asarray(p_start, dtype=np.int64)]),
        np.concatenate([ends, np.asarray(p_end, dtype=np.int64)]),
        lexical,
        dense,
        names=names,
    )
    return out, report


def merge_names(old: dict[str, list[str]], new: dict[str, list[str]]) -> dict[str, list[str]]:
    """Union of two name-key maps (keys of replaced documents linger: they only add candidates)."""
    out = dict(old)
    for key, terms in new.items():
        out[key] = sorted(set(out.get(key, ())) | set(terms)) if key in out else list(terms)
    return out


SPLIT_SHARE = 0.2  # of a group's time, roughly, next to embedding (for the progress bar only)


class _GroupProgress:
    """Maps one group's (done, total, stage) onto documents done across the whole addition."""

    def __init__(self, progress: Progress, offset: int, size: int, total: int):
        self.progress, self.offset, self.size, self.total = progress, offset, size, total

    def __call__(self, done: int, n: int, stage: str) -> None:
        if not n:
            return
        frac = done / n
        part = SPLIT_SHARE * frac if stage == "splitting" else SPLIT_SHARE + (1 - SPLIT_SHARE) * frac
        self.progress(min(self.total, self.offset + int(part * self.size)), self.total, "indexing")


def add_in_batches(
    current: IndexData | None,
    docs: Sequence[Document],
    opts: BuildOptions,
    embed: Callable[[list[str], Callable[[int, int], None] | None], np.ndarray],
    commit: Callable[[IndexData], object],
    glosser: Callable[[str], str] | None = None,
    progress: Progress | None = None,
    report: AddReport | None = None,
    every: int = 2000,
    name_indexer: Callable[[list[list[str]]], dict[str, list[str]]] | None = None,
) -> tuple[IndexData, AddReport]:
    """`add_documents` over groups of `every` documents, calling `commit` after each group that changed.

    Progress is one stage, "indexing", counted in documents across all groups, so a bar moves
    steadily instead of restarting per group.
    """
    report = report or AddReport()
    data = current
    unique: list[Document] = []
    seen: set[str] = set()
    for doc in docs:  # duplicates across groups are refused as within one
        if doc.doc_id in seen:
            report.refused.append((doc.doc_id, "given twice in one batch; the first copy was used"))
        else:
            seen.add(doc.doc_id)
            unique.append(doc)
    docs, total = unique, len(unique)
    for offset in range(0, total, max(1, every)):
        group = docs[offset : offset + max(1, every)]
        changed_before = len(report.added) + len(report.replaced)
        cb = _GroupProgress(progress, offset, len(group), total) if progress else None
        data, report = add_documents(data, group, opts, embed, glosser, cb, report, name_indexer)
        if len(report.added) + len(report.replaced) > changed_before:
            commit(data)
        if progress:
            progress(offset + len(group), total, "indexing")
    return (data if data is not None else empty_index(opts)), report
