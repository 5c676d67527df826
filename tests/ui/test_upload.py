"""The web upload gate and the shipped example questions."""

from __future__ import annotations

import json
from pathlib import Path

from ui.app import load_examples
from ui.bidi import direction
from ui.upload import (
    drop_same_text,
    read_accepted,
    screen,
    text_hashes,
    uploaded_paths,
)


def test_screen_keeps_text_files_under_the_limit_and_says_why_others_are_refused(tmp_path: Path) -> None:
    ok_txt = tmp_path / "note.txt"
    ok_txt.write_text("نص قصير", encoding="utf-8")
    ok_md = tmp_path / "خبر عاجل.MD"
    ok_md.write_text("# title\nbody", encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 1_200_001)
    missing = tmp_path / "gone.txt"

    accepted, refused = screen([ok_txt, pdf, big, ok_md, missing], max_mb=1.2)
    assert accepted == [ok_txt, ok_md]
    reasons = dict(refused)
    assert set(reasons) == {"report.pdf", "big.txt", "gone.txt"}
    assert ".txt" in reasons["report.pdf"]["en"] and ".md" in reasons["report.pdf"]["ar"]
    assert "too large" in reasons["big.txt"]["en"] and "1.2 MB" in reasons["big.txt"]["en"]
    assert "1.2 ميغابايت" in reasons["big.txt"]["ar"]  # the limit, in the page's other language too
    assert "could not read" in reasons["gone.txt"]["en"] and "الملف" in reasons["gone.txt"]["ar"]
    assert str(tmp_path) not in json.dumps(refused, ensure_ascii=False)  # no server path in a reason


def test_read_accepted_names_documents_by_the_uploaded_name(tmp_path: Path) -> None:
    f = tmp_path / "مقال جديد.txt"
    f.write_bytes("سطر".encode())
    items, refused = read_accepted([f, tmp_path / "vanished.md"])
    assert items == [("مقال جديد.txt", "سطر".encode())]
    assert [name for name, _ in refused] == ["vanished.md"]


def test_shipped_examples_cover_both_languages() -> None:
    ex = load_examples()
    assert ex["ar"] and ex["en"]
    assert all(direction(q) == "rtl" for q in ex["ar"])
    assert all(direction(q) == "ltr" for q in ex["en"])


def test_missing_examples_file_gives_empty_lists(tmp_path: Path) -> None:
    assert load_examples(tmp_path / "none.json") == {"ar": [], "en": []}


def test_uploaded_paths_read_the_file_components_raw_value() -> None:
    raw = [
        {"path": "/tmp/gradio/ab/a.txt", "orig_name": "a.txt", "meta": {"_type": "gradio.FileData"}},
        "/tmp/gradio/cd/b.md",
        {"path": None},
        17,
    ]
    assert uploaded_paths(raw) == [Path("/tmp/gradio/ab/a.txt"), Path("/tmp/gradio/cd/b.md")]
    assert uploaded_paths(None) == []


def test_the_same_text_under_another_name_is_kept_back() -> None:
    text = "خبر قصير عن افتتاح جسر جديد.\n".encode()
    items = [("copy.txt", text), ("again.txt", text.replace(b"\n", b"\r\n")), ("own.txt", b"other text")]
    hashes = text_hashes(items, max_mb=1)
    assert hashes[0] == hashes[1] and hashes[2] != hashes[0]  # same text once line endings are normalized
    keep, same = drop_same_text(items, hashes, {hashes[0]: "bridge.ar.txt"})
    assert [n for n, _ in keep] == ["own.txt"]
    assert [(n, why["en"]) for n, why in same] == [
        ("copy.txt", "the same text as bridge.ar.txt"),
        ("again.txt", "the same text as bridge.ar.txt"),
    ]
    # Nothing indexed yet: the first of two equal texts goes in, the second is named after it.
    keep, same = drop_same_text(items, hashes, {})
    assert [n for n, _ in keep] == ["copy.txt", "own.txt"]
    assert [(n, why["en"]) for n, why in same] == [("again.txt", "the same text as copy.txt")]
    # Sending a file again under its own name is the index's business (unchanged or replaced).
    keep, same = drop_same_text(items[:1], hashes[:1], {hashes[0]: "copy.txt"})
    assert [n for n, _ in keep] == ["copy.txt"] and same == []


def test_text_hashes_skip_what_the_index_refuses_anyway() -> None:
    assert text_hashes([("bin.txt", b"\x00\x01"), ("empty.md", b"  ")], max_mb=1) == [None, None]

