"""Adding articles to an index in memory: split, analyse, embed, and append or replace.

Pure with respect to disk: it takes the current `IndexData` (or None) and returns the next one;
`IndexStore.save` makes it durable. Unchanged documents are skipped, changed ones replace their
old passages, and existing vectors are carried over, never recomputed. A large addition goes in
groups (`add_in_batches`), each made durable by the caller's `commit` before the next starts, so a
stopped run loses at most one group and a rerun skips every document already committed.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.archive import DocRecord
from index.bridge import dense_text
from index.dense import DenseIndex, choose_kind
from index.documents import Document
from index.duplicates import assign_groups, signature
from index.lexical import LexicalIndex
from index.name_table import NameTable
from index.passages import split_passages
from index.store import IndexData
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
    # Passages analysed per lexical append: an append holds Python lists of its rows' entries
    # (~700 per passage in the grams field), so one append for a whole corpus would take gigabytes.
    lexical_chunk: int = 4096

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


FIELD_TERMS: dict[str, Callable[[str], list[str]]] = {TEXT_FIELD: analyze, GRAMS_FIELD: char_grams}


def passage_body(text: str, title: str = "") -> str:
    """What a passage is analysed and embedded as: its document's title counts too."""
    return f"{title}\n{text}" if title else text


def passage_terms(text: str, title: str = "") -> dict[str, list[str]]:
    """The terms of every lexical field for one passage."""
    body = passage_body(text, title)
    return {name: terms(body) for name, terms in FIELD_TERMS.items()}


def document_passages(
    doc: Document | DocRecord, opts: BuildOptions, glosser: Callable[[str], str] | None = None
) -> Iterator[tuple[int, int, str]]:
    """(start, end, text to embed) of each passage of one document, wherever it is split."""
    for p in split_passages(doc.doc_id, doc.text, opts.passage_words, opts.passage_overlap):
        yield p.start, p.end, dense_text(passage_body(p.text, doc.title), opts.bridge, glosser)


def document_norms(text: str) -> list[str]:
    """A document's normalized tokens: what its cross-script name keys are found in."""
    return [t.norm for t in tokenize(text)]


def drop_documents(data: IndexData, doc_ids: set[str]) -> IndexData:
    """`data` without these documents and their passages; the other rows keep their vectors and counts."""
    gone = np.array([d.doc_id in doc_ids for d in data.documents], dtype=bool)
    if not gone.any():
        return data
    keep_rows = ~gone[data.doc_of] if len(data.doc_of) else np.zeros(0, bool)
    remap = np.cumsum(~gone) - 1
    return IndexData(
        data.settings,
        [d for d, g in zip(data.documents, gone, strict=True) if not g],
        remap[data.doc_of[keep_rows]].astype(np.int32),
        data.starts[keep_rows],
        data.ends[keep_rows],
        {k: v.select_rows(keep_rows) for k, v in data.lexical.items()},
        data.dense.select_rows(keep_rows),
        names=data.names,
        archive=data.archive,
    )


def assemble(
    opts: BuildOptions,
    documents: list[DocRecord],
    rows: np.ndarray,
    terms: dict[str, Iterable[Sequence[str]]],
    vectors: np.ndarray,
    names: NameTable,
) -> IndexData:
    """A new index of documents whose passages were split, analysed and embedded elsewhere (a
    shard built by workers): `rows` holds (document, start, end) per passage, `terms` each lexical
    field's terms per passage, in the same order."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    lexical = {}
    for name in FIELDS:
        lx, it = LexicalIndex.empty(), iter(terms[name])
        while chunk := list(itertools.islice(it, max(1, opts.lexical_chunk))):
            lx = lx.append(chunk)
        if lx.n_rows != len(rows):
            msg = f"{name}: {lx.n_rows} passages of terms for {len(rows)} passages"
            raise ValueError(msg)
        lexical[name] = lx
    empty = DenseIndex(np.zeros((0, opts.dim), np.float32), choose_kind(opts.dense_kind, len(vectors), opts.dense_threshold))
    return IndexData(
        opts.as_settings(), documents, rows[:, 0].astype(np.int32), rows[:, 1], rows[:, 2], lexical, empty.append(vectors),
        names=names,
    )  # fmt: skip


class _SplitProgress:
    """The "splitting" stage over several passes (split + gloss, then one per lexical field and the
    name keys), in characters of the new documents, so one bar moves steadily to the end."""

    def __init__(self, progress: Progress | None, total_chars: int, passes: int):
        self.progress, self.total, self.passes = progress, total_chars, passes

    def __call__(self, pass_no: int, fraction: float) -> None:
        if self.progress:
            done = int(self.total * (pass_no + min(1.0, fraction)) / self.passes)
            self.progress(min(done, self.total), self.total, "splitting")


def add_documents(
    current: IndexData | None,
    docs: Sequence[Document],
    opts: BuildOptions,
    embed: Callable[[list[str], Callable[[int, int], None] | None], np.ndarray],
    glosser: Callable[[str], str] | None = None,
    progress: Progress | None = None,
    report: AddReport | None = None,
    name_indexer: Callable[[Iterable[list[str]]], dict[str, list[str]]] | None = None,
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
    if replaced_ids:
        data = drop_documents(data, replaced_ids)
    documents, doc_of, starts, ends = data.documents, data.doc_of, data.starts, data.ends
    lexical, dense = dict(data.lexical), data.dense

    # Split, and gloss for the dense side (it needs every text at once, to batch). Terms and name
    # keys are computed afterwards, one passage at a time, straight into the lexical index: held
    # as lists of strings for a whole corpus they would take gigabytes.
    new_docs = _new_records(data, documents, fresh)
    documents = _group_duplicates(data, documents, new_docs)
    rows: list[tuple[int, int, int]] = []  # (new document, start, end)
    p_dense: list[str] = []
    total_chars, done_chars = sum(len(d.text) for d in new_docs), 0
    ticks = _SplitProgress(progress, total_chars, len(FIELDS) + 1 + (name_indexer is not None))
    for k, doc in enumerate(new_docs):
        for start, end, dense_body in document_passages(doc, opts, glosser):
            rows.append((k, start, end))
            p_dense.append(dense_body)
            if len(rows) % 16 == 0:  # a long article moves the bar too
                ticks(0, (done_chars + end) / max(1, total_chars))
        done_chars += len(doc.text)
        ticks(0, done_chars / max(1, total_chars))
    report.passages += len(rows)

    def bodies(pass_no: int, lo: int, hi: int) -> Iterator[str]:
        for i in range(lo, min(hi, len(rows))):
            k, start, end = rows[i]
            doc = new_docs[k]
            yield passage_body(doc.text[start:end], doc.title)
            if i % 64 == 0:
                ticks(pass_no, i / max(1, len(rows)))

    for n, name in enumerate(FIELDS, start=1):
        terms, lx = FIELD_TERMS[name], lexical.get(name, LexicalIndex.empty())
        step = max(1, opts.lexical_chunk)
        for lo in range(0, len(rows), step):  # bounded working memory for any size of addition
            lx = lx.append(terms(b) for b in bodies(n, lo, lo + step))
        lexical[name] = lx
    names = data.names
    if name_indexer is not None:  # keys of replaced documents linger: they only add candidates
        names = names.merge(NameTable.from_dict(name_indexer(_doc_norms(new_docs, ticks, len(FIELDS) + 1))))
    ticks(ticks.passes - 1, 1.0)

    def embed_progress(done: int, total: int) -> None:
        if progress:
            progress(done, total, "embedding")

    vectors = embed(p_dense, embed_progress) if p_dense else np.zeros((0, opts.dim), np.float32)
    del p_dense
    total = dense.n_rows + len(vectors)
    dense = dense.with_kind(choose_kind(opts.dense_kind, total, opts.dense_threshold)).append(vectors)
    new_rows = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    out = IndexData(
        opts.as_settings(),
        documents + new_docs,
        np.concatenate([doc_of, (new_rows[:, 0] + len(documents)).astype(np.int32)]).astype(np.int32),
        np.concatenate([starts, new_rows[:, 1]]),
        np.concatenate([ends, new_rows[:, 2]]),
        lexical,
        dense,
        names=names,
        archive=data.archive,
    )
    return out, report


def _new_records(data: IndexData, kept: list[DocRecord], fresh: Sequence[Document]) -> list[DocRecord]:
    """Records for the new documents, with archive keys after every key used so far."""
    top = max([-1, *(d.key for d in data.documents), *(d.key for d in kept)])
    if data.archive is not None:
        top = max(top, data.archive.max_key())
    return [
        DocRecord(d.doc_id, d.sha256, d.text, d.title, d.source, d.date, d.url, key=top + 1 + i, signature=signature(d.text))
        for i, d in enumerate(fresh)
    ]


def _group_duplicates(data: IndexData, kept: list[DocRecord], new_docs: list[DocRecord]) -> list[DocRecord]:
    """Set the near-duplicate group of each new record (in place: they are this call's own) and
    return `kept` with any group that merged relabelled (as new records: the old ones may be
    shared with an index that is still answering questions)."""
    group_of = {d.key: (d.group if d.group >= 0 else d.key) for d in kept}
    unsaved = [(d.key, group_of[d.key], d.signature) for d in kept if d.signature is not None]
    stored = [] if data.archive is None else [
        (k, group_of[k], np.frombuffer(sig, dtype=np.uint32)) for k, sig in data.archive.signatures() if k in group_of
    ]
    groups = assign_groups([*stored, *unsaved], [(d.key, d.signature) for d in new_docs])
    for d in new_docs:
        d.group = groups[d.key]
    return [dataclasses.replace(d, group=groups[d.key]) if groups.get(d.key, d.group) != d.group else d for d in kept]


def _doc_norms(docs: Sequence[DocRecord], ticks: _SplitProgress, pass_no: int) -> Iterator[list[str]]:
    """Each document's normalized tokens, one document at a time (for the name keys)."""
    for k, doc in enumerate(docs):
        yield document_norms(doc.text or "")
        ticks(pass_no, (k + 1) / max(1, len(docs)))


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
    name_indexer: Callable[[Iterable[list[str]]], dict[str, list[str]]] | None = None,
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
