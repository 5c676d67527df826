"""Sweeping Gradio's upload folder: old uploads and leftover temp files go, fresh ones and others stay."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ui.sweep import sweep_uploads

SHA = "7cc7eb9f1dfb20c284c12d13a171fc8362e8e7781b054db7a38ed7b12c728ca1"


def make(path: Path, data: bytes, age_s: float, now: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (now - age_s, now - age_s))
    return path


def test_old_uploads_and_leftover_temp_files_are_removed(tmp_path: Path) -> None:
    now = time.time()
    old = make(tmp_path / SHA / "note.txt", b"never indexed", 700, now)
    os.utime(old.parent, (now - 700, now - 700))
    fresh = make(tmp_path / SHA.replace("7", "8") / "new.txt", b"on its way to be indexed", 5, now)
    empty_tmp = make(tmp_path / "tmp50wxmo7n", b"", 120, now)
    receiving = make(tmp_path / "tmpmrs085zb", b"", 2, now)  # an upload that has only just begun
    cut_off = make(tmp_path / "tmpa1b2c3d4", b"half a file", 700, now)
    other = make(tmp_path / "vibe_edit_history" / "keep.json", b"{}", 10_000, now)
    stranger = make(tmp_path / "notes.txt", b"not ours", 10_000, now)

    assert sweep_uploads(tmp_path, ttl_s=600, now=now) == 3
    assert not old.exists() and not old.parent.exists()  # the emptied upload folder goes too
    assert not empty_tmp.exists() and not cut_off.exists()
    assert fresh.exists() and receiving.exists() and other.exists() and stranger.exists()


def test_a_missing_folder_is_nothing_to_do(tmp_path: Path) -> None:
    assert sweep_uploads(tmp_path / "absent", ttl_s=1) == 0
