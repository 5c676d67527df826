"""The indexing pipeline's steps as plain Python that Ray runs in its workers (tests run them directly).

read (a file into its articles) -> prepare (split into passages, analyse every lexical field,
MinHash and name keys) -> embed (the passages, in batches, by a model loaded once per worker). Each
step calls the same functions as the single-machine builder (`index.builder`), so a document gives
the same passages, terms and vectors wherever it is processed. Rows are Ray Data's: one article per
row, columns of plain values; a passage's terms travel as one space-joined string per passage
(analysed terms never hold whitespace), vectors and signatures as raw float32 / uint32 bytes.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from index.builder import FIELD_TERMS, FIELDS, BuildOptions, document_norms, document_passages, passage_body
from index.documents import Document, Refusal, read_file
from index.duplicates import signature
from index.records import FieldMap

DOC_COLUMNS = ("doc_id", "text", "sha256", "title", "source", "date", "url")
TERM_COLUMNS = {name: f"terms_{name}" for name in FIELDS}

Batch = dict[str, Any]


def _row(file: int, item: int, doc: Document | Refusal) -> dict:
    if isinstance(doc, Refusal):
        return {"file": file, "item": item, "refused": doc.reason, "doc_id": doc.name, "text": "", "sha256": "",
                "title": "", "source": "", "date": "", "url": ""}  # fmt: skip
    return {"file": file, "item": item, "refused": "", **{c: getattr(doc, c) for c in DOC_COLUMNS}}


def read_rows(row: dict, max_bytes: int | None = None, fields: FieldMap | None = None) -> list[dict]:
    """flat_map: a file row {"file", "name", "path"} -> a row per article (or refusal) in it, numbered."""
    items = read_file(str(row["name"]), Path(str(row["path"])), max_bytes, fields)
    return [_row(int(row["file"]), j, item) for j, item in enumerate(items)]


def document_rows(docs: Iterable[Document | Refusal]) -> list[dict]:
    """Rows for documents already in memory (web uploads, a rebuild), numbered as one file."""
    return [_row(0, j, d) for j, d in enumerate(docs)]


def documents_of(batch: Batch) -> list[Document]:
    n = len(batch["doc_id"])
    return [Document(*(str(batch[c][i]) for c in DOC_COLUMNS)) for i in range(n)]


class Prepare:
    """map_batches: each article's passages, lexical terms, MinHash and cross-script name keys, for
    the articles in `keep` ((file, item) pairs: the new and changed ones; the others are dropped).

    The bilingual lexicon (for glossing and name keys) is loaded once per worker.
    """

    def __init__(self, settings: Settings, opts: BuildOptions, keep: list):
        import ray

        from assistant.sanad import Sanad

        resources = Sanad(settings)  # only its resources: the lexicon's glosser and name keys
        self.opts, self.glosser, self.names = opts, resources.glosser(), resources.name_indexer()
        self.keep: frozenset[tuple[int, int]] = ray.get(keep[0])  # [ObjectRef]: kept out of the actor's arguments

    def __call__(self, batch: Batch) -> Batch:
        wanted = [i for i, (f, j) in enumerate(zip(batch["file"], batch["item"], strict=True)) if (int(f), int(j)) in self.keep]
        batch = {c: [batch[c][i] for i in wanted] for c in ("file", "item", *DOC_COLUMNS)}
        out: Batch = dict(batch)
        cols: dict[str, list] = {k: [] for k in ("starts", "ends", "dense", "signature", "names", *TERM_COLUMNS.values())}
        for doc in documents_of(batch):
            spans = list(document_passages(doc, self.opts, self.glosser))
            cols["starts"].append([s for s, _, _ in spans])
            cols["ends"].append([e for _, e, _ in spans])
            cols["dense"].append([d for _, _, d in spans])
            bodies = [passage_body(doc.text[s:e], doc.title) for s, e, _ in spans]
            for name, col in TERM_COLUMNS.items():
                cols[col].append([" ".join(FIELD_TERMS[name](b)) for b in bodies])
            cols["signature"].append(signature(doc.text).tobytes())
            keys = self.names([document_norms(doc.text)]) if self.names is not None else {}
            cols["names"].append(json.dumps(keys, ensure_ascii=False))
        return {**out, **cols}


class Embed:
    """map_batches in an actor pool: the passages of a batch of articles embedded together, by a
    model loaded once per actor; each article's vectors as float32 bytes (passages x dim).

    `drill` names a marker file for fault drills: the first actor to embed a batch while the
    marker is absent creates it and kills its own process (SIGKILL), as a crashed worker would.
    """

    def __init__(self, settings: Settings, threads: int = 1, drill: str = ""):
        from index.embedder import load_embedder

        s = settings
        self.emb = load_embedder(s.model, s.model_languages, backend=s.embed_backend,
                                 max_seq_length=s.embed_max_tokens or None, threads=threads)  # fmt: skip
        self.batch_size, self.drill = s.batch_size, drill

    def __call__(self, batch: Batch) -> Batch:
        if self.drill and not os.path.exists(self.drill):
            Path(self.drill).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        dense = [list(d) for d in batch["dense"]]
        vectors = self.emb.embed([t for d in dense for t in d], self.batch_size)
        ends = np.cumsum([len(d) for d in dense])
        out = {k: v for k, v in batch.items() if k != "dense"}
        out["vectors"] = [vectors[e - len(d) : e].tobytes() for d, e in zip(dense, ends, strict=True)]
        return out
