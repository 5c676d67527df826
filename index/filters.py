"""Which passages a question may retrieve: a date range, outlets, and one article per duplicate group.

Retrieval scores every passage in every channel and then keeps only the eligible ones before
taking its top k, so a filtered question gets the best matching passages within the filter, not
a filtered remainder of the unfiltered top k. Eligibility is per document (publication day,
outlet, duplicate group), turned into a passage mask with one gather; masks are cached per filter
on the index they were computed for.

Near-duplicate groups (`index.duplicates`) are shown once: among a group's members that pass the
filter, the earliest published (then the first stored) is the one retrieval may return; the others
are listed with it as "also published by".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from index.pubdate import day_number, parse_day
from index.store import IndexData

MASK_CACHE = 64  # filters remembered per index


@dataclass(frozen=True)
class SearchFilter:
    """Only articles published in [since, until] (days, inclusive) by one of `sources` (any when empty).

    An article without a date is left out once a date bound is given; outlets match without regard to case.
    """

    since: dt.date | None = None
    until: dt.date | None = None
    sources: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return self.since is None and self.until is None and not self.sources

    @classmethod
    def of(cls, value: SearchFilter | Mapping | None) -> SearchFilter:
        """A filter from itself, None, or a plain mapping {"since", "until", "source"/"sources"} of strings."""
        if value is None:
            return cls()
        if isinstance(value, SearchFilter):
            return value
        sources = value.get("sources", value.get("source")) or ()
        if isinstance(sources, str):
            sources = [sources]
        return cls.build(value.get("since"), value.get("until"), sources)

    @classmethod
    def build(cls, since: str | dt.date | None, until: str | dt.date | None, sources: Iterable[str] = ()) -> SearchFilter:
        """From what a person typed; ValueError names the bad flag."""
        lo = since if isinstance(since, dt.date) or not since else parse_day(str(since), flag="--since")
        hi = until if isinstance(until, dt.date) or not until else parse_day(str(until), flag="--until")
        if lo and hi and lo > hi:
            msg = f"--since {lo.isoformat()} is after --until {hi.isoformat()}"
            raise ValueError(msg)
        names = frozenset(_fold(s) for s in sources if s and s.strip())
        return cls(lo or None, hi or None, names)

    def to_dict(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "sources": sorted(self.sources),
        }


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


class DocTable:
    """Per-document arrays of one index, for masks: day, outlet, duplicate group, earliest-first order."""

    def __init__(self, data: IndexData):
        docs = data.documents
        self.day = np.asarray([day_number(d.date) for d in docs], dtype=np.int64)
        names = [_fold(d.source) for d in docs]
        self.outlets = sorted(set(names) - {""})
        code = {n: i for i, n in enumerate(self.outlets)}
        self.outlet = np.asarray([code.get(n, -1) for n in names], dtype=np.int64)
        self.source_names = sorted({d.source for d in docs if d.source}, key=str.casefold)
        self.group = np.asarray([d.group if d.group >= 0 else i for i, d in enumerate(docs)], dtype=np.int64)
        dates = np.asarray([d.date or "\uffff" for d in docs], dtype=object)  # unknown dates sort last
        date_rank = np.unique(dates, return_inverse=True)[1] if len(docs) else np.zeros(0, np.int64)
        # Documents by group, then earliest first, then first stored: a group's first eligible one is its face.
        self.order = np.lexsort((np.arange(len(docs)), date_rank, self.group))
        self.duplicated = bool(len(docs)) and len(np.unique(self.group)) < len(docs)
        self.doc_of = data.doc_of

    def document_mask(self, filt: SearchFilter) -> np.ndarray:
        ok = np.ones(len(self.day), dtype=bool)
        if filt.since is not None:
            ok &= self.day >= filt.since.toordinal()
        if filt.until is not None:
            ok &= (self.day <= filt.until.toordinal()) & (self.day > 0)
        if filt.sources:
            wanted = [i for i, n in enumerate(self.outlets) if n in filt.sources]
            ok &= np.isin(self.outlet, wanted)
        return ok

    def faces(self, doc_ok: np.ndarray) -> np.ndarray:
        """Of the eligible documents, the earliest of each duplicate group."""
        ordered = self.order[doc_ok[self.order]]
        out = np.zeros(len(doc_ok), dtype=bool)
        if len(ordered):
            groups = self.group[ordered]
            first = np.ones(len(ordered), dtype=bool)
            first[1:] = groups[1:] != groups[:-1]
            out[ordered[first]] = True
        return out

    def members(self, doc: int) -> list[int]:
        """The other documents of `doc`'s duplicate group, earliest first."""
        same = self.order[self.group[self.order] == self.group[doc]]
        return [int(i) for i in same if i != doc]


def doc_table(data: IndexData) -> DocTable:
    table = data.derived.get("doc_table")
    if table is None:
        table = data.derived["doc_table"] = DocTable(data)
    return table


def passage_mask(data: IndexData, filt: SearchFilter | None) -> np.ndarray | None:
    """Passages a question may retrieve under `filt` (None: every passage may)."""
    filt = filt or SearchFilter()
    cache = data.derived.setdefault("masks", {})
    if filt in cache:
        return cache[filt]
    table = doc_table(data)
    if filt.empty and not table.duplicated:
        mask = None
    else:
        doc_ok = table.document_mask(filt)
        if table.duplicated:
            doc_ok = table.faces(doc_ok)
        mask = doc_ok[data.doc_of] if len(data.doc_of) else np.zeros(0, dtype=bool)
    if len(cache) >= MASK_CACHE:
        cache.clear()
    cache[filt] = mask
    return mask


def unknown_sources(data: IndexData, filt: SearchFilter) -> list[str]:
    """Outlets named in `filt` that no indexed article has (a typo, most likely)."""
    known = set(doc_table(data).outlets)
    return sorted(s for s in filt.sources if s not in known)


def archive_stats(data: IndexData) -> dict:
    """What the archive holds, for `sanad index info`: outlets, the dated span, duplicate groups."""
    table = doc_table(data)
    dated = [d.date[:10] for d in data.documents if d.date]
    groups = np.unique(table.group, return_counts=True)[1] if len(table.group) else np.zeros(0, np.int64)
    return {
        "outlets": len(table.outlets),
        "dated_documents": len(dated),
        "first_date": min(dated) if dated else None,
        "last_date": max(dated) if dated else None,
        "duplicate_groups": int((groups > 1).sum()),
        "documents_in_duplicate_groups": int(groups[groups > 1].sum()),
    }
