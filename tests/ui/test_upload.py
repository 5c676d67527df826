"""The web upload gate and the shipped example questions."""

from __future__ import annotations

from pathlib import Path

from ui.app import load_examples
from ui.bidi import direction
from ui.upload import read_accepted, screen


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
    assert ".txt" in reasons["report.pdf"] and ".md" in reasons["report.pdf"]
    assert "too large" in reasons["big.txt"] and "1.2 MB" in reasons["big.txt"]
    assert "could not read" in reasons["gone.txt"]


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
