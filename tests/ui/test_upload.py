"""The web upload gate and the shipped example questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui.app import load_examples
from ui.bidi import direction
from ui.upload import (
    MAX_REPORTED,
    drop_same_text,
    oversized_from_page,
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


def test_files_the_page_kept_back_are_refused_with_the_limit_in_both_languages() -> None:
    payload = json.dumps([{"name": "archive.txt", "size": 52_428_800}, {"name": "../../etc/x.md", "size": 6e6}])
    refused = oversized_from_page(payload, max_mb=5)
    assert [n for n, _ in refused] == ["archive.txt", "x.md"]
    why = refused[0][1]
    assert "52.4 MB" in why["en"] and "5 MB per file" in why["en"]
    assert "52.4 ميغابايت" in why["ar"] and "الحد 5 ميغابايت" in why["ar"]


@pytest.mark.parametrize(
    "payload",
    ["", "not json", "{}", "[1, 2]", json.dumps([{"name": 3, "size": 1}, {"name": "a", "size": -1}, {"name": "b", "size": True}])],
)
def test_a_malformed_page_report_refuses_nothing(payload: str) -> None:
    assert oversized_from_page(payload, max_mb=5) == []


def test_the_page_report_is_capped() -> None:
    payload = json.dumps([{"name": f"f{i}.txt", "size": 10**8} for i in range(MAX_REPORTED + 50)])
    assert len(oversized_from_page(payload, max_mb=5)) == MAX_REPORTED
