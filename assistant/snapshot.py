"""Everything one answer reads, frozen together: the index, the embedder, the lexicon, the settings.

Questions take the current snapshot once and use it to the end, so an upload that swaps in a new
index mid-question can never mix two indexes in one answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.config import Settings
from index.embedder import Embedder
from index.store import IndexData


@dataclass(frozen=True)
class Snapshot:
    index: IndexData
    embedder: Embedder
    settings: Settings
    lexicon: Any | None = None  # index.lexicon.Lexicon, when a dictionary is installed
    glosser: Callable[[str], str] | None = None
    # How each channel scores a question: None = over `index` in this process
    # (assistant.retriever.channel_scores); a sharded index gives its scatter/gather scorer.
    channels: Callable[..., dict] | None = None

    @property
    def bridge(self) -> str:
        return self.index.settings.get("bridge", "direct")
