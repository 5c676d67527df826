"""The facade the CLI, the web chat and the eval runner share: open an index, add articles, ask.

It only wires parts together; the work lives in `index/` (build time) and in the chain
(answer time). Questions are safe to ask from many threads at once; writers are serialized, in
this process by a lock and across processes by the store's file lock.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.answer import Answer, Hit
from assistant.chain import build_chain
from assistant.config import Settings
from assistant.question import clean_question
from assistant.retriever import SanadRetriever, retrieve
from assistant.snapshot import Snapshot
from index.bridge import bridge_mode
from index.builder import AddReport, BuildOptions, add_documents, add_in_batches
from index.documents import Document, Refusal, iter_articles, read_articles
from index.embedder import Embedder, load_embedder
from index.errors import BadQuestionError, IndexNotFoundError
from index.filters import SearchFilter, archive_stats, doc_table, passage_mask, unknown_sources
from index.records import FieldMap
from index.store import IndexData, IndexStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

# Documents per committed group when adding many at once (a news archive): each group is saved as
# a generation before the next starts, so a stopped run resumes where it stopped (unchanged
# documents are skipped by hash) and loses at most one group's work.
ADD_COMMIT_EVERY = 2000


def sample_corpus_dir() -> Path:
    """The built-in demo corpus shipped with the package."""
    return Path(str(resources.files("assistant") / "data" / "sample"))


def _lexicon_fingerprint(lex) -> str:
    """What the glosses were made with: a changed dictionary or gloss rules means stale vectors."""
    if lex is None:
        return ""
    from index.gloss import GLOSS_VERSION

    return f"gloss{GLOSS_VERSION}:{str(lex.meta.get('fingerprint', ''))[:16]}"


def open_sanad(settings: Settings | None = None) -> Sanad:
    """The Sanad for these settings: this process, or with `engine="ray"` an index in shards on Ray
    (assistant.cluster; Ray is imported only then)."""
    settings = settings or Settings.from_env()
    if settings.engine == "ray":
        from assistant.cluster.sanad import ShardedSanad

        return ShardedSanad(settings)
    if settings.engine != "local":
        msg = f"engine must be local or ray (got {settings.engine!r})"
        raise ValueError(msg)
    return Sanad(settings)


class Sanad:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.store = IndexStore(self.settings.index_dir)
        self._snap: Snapshot | None = None
        self._snap_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._lexicon_loaded = False
        self._lexicon = None
        self.commit_every = ADD_COMMIT_EVERY
        self.retriever = SanadRetriever(snapshot=self.snapshot, top_k=self.settings.top_k)
        self.chain = build_chain(self.retriever, self._answerer())

    # -- resources -----------------------------------------------------------------------------
    def embedder(self) -> Embedder:
        s = self.settings
        return load_embedder(s.model, s.model_languages, backend=s.embed_backend, max_seq_length=s.embed_max_tokens or None)

    def lexicon(self):
        """The bilingual dictionary, or None (then Sanad works monolingually and says so once)."""
        if not self._lexicon_loaded:
            try:
                from index.lexicon import load_lexicon
            except ImportError:
                load_lexicon = None
            if load_lexicon is not None:
                lex_dir = Path(self.settings.lexicon_dir) if self.settings.lexicon_dir else None
                self._lexicon = load_lexicon(lex_dir, self.settings.index_dir.parent / "lexicon-cache")
            self._lexicon_loaded = True
        return self._lexicon

    def glosser(self) -> Callable[[str], str] | None:
        lex = self.lexicon()
        if lex is None:
            return None
        from index.gloss import gloss_arabic

        return lambda text: gloss_arabic(text, lex)

    def name_indexer(self) -> Callable[[Iterable[list[str]]], dict[str, list[str]]] | None:
        """Cross-script name keys for the corpus' words the dictionary does not know."""
        lex = self.lexicon()
        if lex is None:
            return None
        from index.gloss import gloss_word
        from index.stem import stem
        from index.stopwords import is_stopword
        from index.translit import name_index

        return lambda norms: name_index(norms, lambda w: gloss_word(w, lex) is not None, stem, is_stopword)

    def _answerer(self):
        if not self.settings.llm:
            return None
        from assistant.generate import llm_answerer

        return llm_answerer(self.settings.llm)

    def build_options(self) -> BuildOptions:
        emb = self.embedder()
        s = self.settings
        lex = self.lexicon()
        return BuildOptions(
            model=emb.name,
            dim=emb.dim,
            languages=sorted(emb.languages),
            bridge=bridge_mode(emb.languages, self.glosser()),
            passage_words=s.passage_words,
            passage_overlap=s.passage_overlap,
            dense_kind=s.dense_kind,
            dense_threshold=s.dense_threshold,
            batch_size=s.batch_size,
            lexicon=_lexicon_fingerprint(lex),
        )

    def expected(self) -> dict:
        emb = self.embedder()
        return {"model": emb.name, "dim": emb.dim}

    # -- the index -----------------------------------------------------------------------------
    def _make_snapshot(self, data: IndexData) -> Snapshot:
        # Answering never appends to this copy (writers reload from the store), so its lexical
        # fields keep only their BM25 weights.
        serving = dataclasses.replace(data, lexical={k: v.for_serving() for k, v in data.lexical.items()})
        passage_mask(serving, None)  # per-document arrays and the duplicate faces, before the first question
        return Snapshot(serving, self.embedder(), self.settings, self.lexicon(), self.glosser())

    def snapshot(self) -> Snapshot:
        """The current index; reloaded when another process has written a newer generation."""
        snap = self._snap
        if snap is not None and self.store.current() == snap.index.generation:
            return snap
        with self._snap_lock:
            if self._snap is None or self.store.current() != self._snap.index.generation:
                if not self.store.exists():
                    raise IndexNotFoundError(self._no_index_message())
                self._snap = self._load_snapshot()
            return self._snap

    def _no_index_message(self) -> str:
        return f"no index at {self.store.root}; add articles with: sanad index add PATH"

    def _load_snapshot(self) -> Snapshot:
        """The current generation as a snapshot (called under the snapshot lock)."""
        return self._make_snapshot(self.store.load(self.expected()))

    def has_index(self) -> bool:
        return self.store.exists()

    def ensure_index(self, progress: Progress | None = None) -> AddReport | None:
        """Index the built-in sample article when there is no index yet, so a first question works."""
        if self.store.exists():
            return None
        log.info("no index at %s: indexing the built-in sample corpus", self.store.root)
        return self.add_paths([sample_corpus_dir()], progress)

    def add_paths(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        max_bytes: int | None = None,
        fields: FieldMap | None = None,
    ) -> AddReport:
        """Add files and folders (any format `index.documents` reads); `fields` maps record fields."""
        limit = max_bytes if max_bytes is not None else int(self.settings.max_file_mb * 1e6)
        return self._add(iter_articles([Path(p) for p in paths], limit, fields), progress)

    def add_texts(
        self,
        items: Sequence[tuple[str, bytes]],
        progress: Progress | None = None,
        max_bytes: int | None = None,
        fields: FieldMap | None = None,
    ) -> AddReport:
        """Add in-memory files (name, bytes), e.g. web uploads; names become document ids."""
        limit = max_bytes if max_bytes is not None else int(self.settings.upload_max_mb * 1e6)
        return self._add((doc for name, data in items for doc in read_articles(name, data, limit, fields)), progress)

    def _add(self, items: Iterable[Document | Refusal], progress: Progress | None) -> AddReport:
        report = AddReport()
        docs: list[Document] = []
        for item in items:
            if isinstance(item, Refusal):
                report.refused.append((item.name, item.reason))
            else:
                docs.append(item)
        if not docs:
            return report
        opts = self.build_options()
        emb = self.embedder()

        def embed(texts: list[str], cb: Callable[[int, int], None] | None) -> np.ndarray:
            return emb.embed(texts, self.settings.batch_size, cb)

        with self._write_lock, self.store.write_lock():
            current = self.store.load(self.expected()) if self.store.exists() else None
            if len(docs) > self.commit_every:
                new, report = add_in_batches(
                    current, docs, opts, embed, self.store.save, self.glosser(), progress, report,
                    self.commit_every, self.name_indexer(),
                )
            else:
                new, report = add_documents(
                    current, docs, opts, embed, self.glosser(), progress, report, self.name_indexer()
                )
                if report.changed:
                    self.store.save(new)
            if report.changed:
                with self._snap_lock:
                    self._snap = self._make_snapshot(new)
        return report

    def rebuild(self, progress: Progress | None = None) -> AddReport:
        """Re-index every stored document with the current settings (model, analyzer, passages)."""
        with self._write_lock, self.store.write_lock():
            docs = [
                Document(d.doc_id, d.text or "", d.sha256, d.title, d.source, d.date, d.url)
                for d in self.store.load_documents()
            ]
        opts = self.build_options()
        emb = self.embedder()
        with self._write_lock, self.store.write_lock():
            new, report = add_documents(
                None,
                docs,
                opts,
                lambda t, cb: emb.embed(t, self.settings.batch_size, cb),
                self.glosser(),
                progress,
                name_indexer=self.name_indexer(),
            )
            self.store.save(new)
            with self._snap_lock:
                self._snap = self._make_snapshot(new)
        return report

    # -- questions -----------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        top_k: int | None = None,
        filter: SearchFilter | None = None,  # noqa: A002 - the retriever interface's name
    ) -> Answer:
        t0 = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        snap = self.snapshot()
        answer = self.chain.invoke(
            {
                "question": question,
                "history": list(history or []),
                "top_k": top_k or self.settings.top_k,
                "snapshot": snap,
                "filter": filter,
            }
        )
        answer.latency_ms = (time.perf_counter() - t0) * 1000
        return answer

    def ask_stream(
        self,
        question: str,
        history: Sequence[dict] | None = None,
        top_k: int | None = None,
        filter: SearchFilter | None = None,  # noqa: A002
    ) -> Iterator[str | Answer]:
        """Like `ask`, for a chat UI: text pieces as a chat model writes them (none on the
        extractive path), then the final `Answer`, whose text is what should stay on screen."""
        t0 = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        snap = self.snapshot()
        state = {
            "question": question,
            "history": list(history or []),
            "top_k": top_k or self.settings.top_k,
            "snapshot": snap,
            "filter": filter,
        }
        for chunk in self.chain.stream(state):
            if isinstance(chunk, Answer):
                chunk.latency_ms = (time.perf_counter() - t0) * 1000
            yield chunk

    def retrieve(self, question: str, top_k: int | None = None, filter: SearchFilter | None = None) -> list[Hit]:  # noqa: A002
        question = clean_question(question, self.settings.max_question_chars)
        return retrieve(question, self.snapshot(), top_k or self.settings.top_k, filt=filter)

    def outlets(self) -> list[str]:
        """The outlets of the indexed articles, as written (for a filter's choices)."""
        return doc_table(self.snapshot().index).source_names if self.store.exists() else []

    def check_filter(self, filt: SearchFilter) -> None:
        """Refuse a filter naming an outlet no indexed article has, listing the ones there are."""
        unknown = unknown_sources(self.snapshot().index, filt)
        if unknown:
            have = ", ".join(self.outlets()) or "none: the articles have no outlet"
            msg = f"no indexed article is from {', '.join(unknown)}; the outlets are: {have}"
            raise BadQuestionError(msg)

    def stats(self) -> dict:
        if not self.store.exists():
            return {"documents": 0, "passages": 0, "model": self.settings.model, "index_dir": str(self.store.root)}
        snap = self.snapshot()
        return {
            "documents": len(snap.index.documents),
            **archive_stats(snap.index),
            "passages": snap.index.n_passages,
            "model": snap.index.settings.get("model"),
            "dim": snap.index.settings.get("dim"),
            "bridge": snap.bridge,
            "dense_index": snap.index.dense.kind,
            "lexicon": snap.lexicon is not None,
            "index_dir": str(self.store.root),
            "generation": snap.index.generation,
        }

    def close(self) -> None:
        """Release what this Sanad holds beyond its process (nothing, here; see ShardedSanad)."""

    # -- for the web chat ------------------------------------------------------------------------
    def documents_with_text(self, sha256s: Iterable[str]) -> dict[str, str]:
        """{text sha256: document id} for the given hashes that are indexed (a re-upload under a new name)."""
        wanted = set(sha256s)
        if not wanted or not self.store.exists():
            return {}
        return {d.sha256: d.doc_id for d in self.snapshot().index.documents if d.sha256 in wanted}

    def passage_place(self, doc_id: str, start: int) -> tuple[int, int] | None:
        """(k, n): the passage of `doc_id` starting at `start` is its k-th of n (source cards number
        passages within their document, not across the index)."""
        index = self.snapshot().index
        row = index.doc_index(doc_id)
        if row is None:
            return None
        starts = index.starts[index.doc_of == row]
        if not np.any(starts == start):
            return None
        return int(np.count_nonzero(starts < start)) + 1, int(starts.size)
