"""Errors as visitors read them: the kind of problem and what to do, never a server path."""

from __future__ import annotations

import pytest

from index.errors import (
    BadQuestionError,
    IndexCorruptError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
)
from ui.messages import for_visitors, scrub_paths

ROOT = "/srv/sanad/data/index"


@pytest.mark.parametrize(
    ("err", "words"),
    [
        (IndexNotFoundError(f"no index at {ROOT}; add articles with: sanad index add PATH"), "sanad index add"),
        (IndexCorruptError(f"index at {ROOT}: vectors.npy does not match its checksum"), "sanad index rebuild"),
        (IndexMismatchError(f"index at {ROOT} was analysed with analyzer 3"), "sanad index rebuild"),
        (IndexLockedError(f"another process is writing to the index at {ROOT}"), "try again"),
    ],
)
def test_index_problems_are_named_without_their_folder(err, words: str, caplog) -> None:
    for lang in ("en", "ar"):
        msg = for_visitors(err, lang)
        assert "/srv" not in msg and "index at" not in msg
    assert words in for_visitors(err, "en")
    assert ROOT in caplog.text  # the operator still finds the folder in the server log


def test_messages_follow_the_page_language() -> None:
    err = IndexCorruptError(f"index at {ROOT}: CURRENT is unreadable")
    assert "damaged" in for_visitors(err, "en")
    assert "تالف" in for_visitors(err, "ar")


@pytest.mark.parametrize(
    "text",
    [
        "cannot open /home/editor/.local/share/sanad/index/gen-000004/vectors.npy now",
        "bad file '/tmp/gradio/abc/x.txt'",
        r"cannot open C:\Users\editor\sanad\index",
        "see ~/sanad/index",
        "path=/var/lib/sanad",
    ],
)
def test_paths_are_scrubbed_from_other_messages(text: str) -> None:
    out = for_visitors(BadQuestionError(text))
    assert "editor" not in out and "/tmp" not in out and "/var" not in out and "sanad/index" not in out
    assert "…" in out


def test_text_without_paths_is_left_alone() -> None:
    s = "the question is too long (2,001 characters; the limit is 2,000) and/or 5/10 km/h"
    assert scrub_paths(s) == s
