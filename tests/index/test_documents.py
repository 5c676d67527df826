"""Which files become articles, their ids, and the one-line reason for each refusal."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from index.documents import Document, Refusal, decode_article, iter_articles

ARTICLE = "وصل الوفد إلى العاصمة. بدأت المحادثات.\n"


def collect(paths: list[Path], max_bytes: int | None = None) -> tuple[dict[str, Document], dict[str, str]]:
    docs, refused = {}, {}
    for item in iter_articles(paths, max_bytes):
        if isinstance(item, Refusal):
            refused[item.name] = item.reason
        else:
            docs[item.doc_id] = item
    return docs, refused


# -- decode_article: bytes -> Document | Refusal ---------------------------------------------------
def test_plain_utf8_accepted() -> None:
    doc = decode_article("a.txt", ARTICLE.encode("utf-8"))
    assert isinstance(doc, Document)
    assert doc.doc_id == "a.txt" and doc.text == ARTICLE
    assert doc.sha256 == hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()


def test_utf8_bom_accepted_and_dropped() -> None:
    doc = decode_article("a.txt", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    assert isinstance(doc, Document)
    assert doc.text == ARTICLE
    assert doc.sha256 == decode_article("a.txt", ARTICLE.encode("utf-8")).sha256


def test_crlf_and_cr_normalized() -> None:
    doc = decode_article("a.txt", "سطر أول\r\nسطر ثان\rسطر ثالث\r\n".encode())
    assert isinstance(doc, Document)
    assert doc.text == "سطر أول\nسطر ثان\nسطر ثالث\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n  ", "empty"),
        ("\ufeff  \n".encode(), "empty"),  # a BOM and nothing else
        (b"PK\x03\x04\x00\x00binary stuff", "binary"),
        (b"\xff\xfe" + "نص".encode("utf-16-le"), "UTF-16"),
        (b"\xfe\xff" + "text".encode("utf-16-be"), "UTF-16"),
        ("نص عربي".encode("cp1256"), "UTF-8"),
        ("café crème".encode("latin-1"), "UTF-8"),
        (b"text" + b"\x01\x02\x03\x04\x05" * 10, "control characters"),
    ],
    ids=["zero-bytes", "whitespace", "bom-only", "nul", "utf16le", "utf16be", "cp1256", "latin1", "controls"],
)
def test_refusals(data: bytes, reason: str) -> None:
    result = decode_article("bad.txt", data)
    assert isinstance(result, Refusal)
    assert result.name == "bad.txt"
    assert reason in result.reason
    assert "\n" not in result.reason


def test_utf16_without_bom_refused_as_binary() -> None:
    result = decode_article("u.txt", "plain text".encode("utf-16-le"))
    assert isinstance(result, Refusal)


def test_too_large_refused() -> None:
    result = decode_article("big.txt", b"x" * 2000, max_bytes=1000)
    assert isinstance(result, Refusal)
    assert "too large" in result.reason


def test_markdown_title() -> None:
    doc = decode_article("a.md", b"# The Title\n\nBody.\n")
    assert isinstance(doc, Document) and doc.title == "The Title"
    txt = decode_article("a.txt", b"# Not a title\n\nBody.\n")
    assert isinstance(txt, Document) and txt.title == ""


# -- iter_articles: files, folders, ids ------------------------------------------------------------
@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "sub" / "b.md").write_text("# B\n\nEnglish text.\n", encoding="utf-8")
    (root / "sub" / "deeper" / "c.TXT").write_text("Upper-case suffix.\n", encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "nul.txt").write_bytes(b"abc\x00def")
    (root / "utf16.txt").write_bytes("نص".encode("utf-16"))
    (root / "latin.md").write_bytes("café".encode("latin-1"))
    return root


def test_folder_ids_are_relative_paths(corpus: Path) -> None:
    docs, refused = collect([corpus])
    assert sorted(docs) == ["a.txt", "sub/b.md", "sub/deeper/c.TXT"]
    assert docs["sub/b.md"].title == "B"
    assert set(refused) == {"empty.txt", "nul.txt", "utf16.txt", "latin.md"}
    assert "empty" in refused["empty.txt"]
    assert "binary" in refused["nul.txt"]
    assert "UTF-16" in refused["utf16.txt"]
    assert "UTF-8" in refused["latin.md"]


def test_folder_skips_other_suffixes_and_hidden_files_silently(corpus: Path) -> None:
    docs, refused = collect([corpus])
    names = set(docs) | set(refused)
    assert not {"image.png", "notes.pdf", ".hidden.txt"} & names


def test_single_file_id_is_its_name(corpus: Path) -> None:
    docs, refused = collect([corpus / "sub" / "b.md"])
    assert list(docs) == ["b.md"] and not refused


def test_other_suffix_given_explicitly_is_refused(corpus: Path) -> None:
    docs, refused = collect([corpus / "notes.pdf", corpus / "a.txt"])
    assert list(docs) == ["a.txt"]
    assert "not an article file (.pdf" in refused["notes.pdf"]


def test_missing_path_refused(tmp_path: Path) -> None:
    docs, refused = collect([tmp_path / "nope.txt"])
    assert not docs
    assert refused == {str(tmp_path / "nope.txt"): "no such file or folder"}


def test_too_large_file_refused_before_reading(corpus: Path) -> None:
    (corpus / "big.txt").write_text("x" * 5000, encoding="utf-8")
    docs, refused = collect([corpus], max_bytes=1000)
    assert "too large" in refused["big.txt"]
    assert "a.txt" in docs


def test_symlink_outside_folder_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret text\n", encoding="utf-8")
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "real.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink(outside, root / "escape.txt")
    os.symlink(root / "real.txt", root / "alias.txt")
    docs, refused = collect([root])
    assert "outside" in refused["escape.txt"]
    assert sorted(docs) == ["alias.txt", "real.txt"]  # a link inside the folder is fine


def test_dangling_symlink_refused(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    os.symlink(root / "missing.txt", root / "dangling.txt")
    docs, refused = collect([root])
    assert not docs and "dangling.txt" in refused


def test_batch_continues_after_refusals(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text("Another article.\n", encoding="utf-8")
    docs, refused = collect([corpus / "nul.txt", tmp_path / "missing", corpus / "a.txt", other])
    assert sorted(docs) == ["a.txt", "other.md"]
    assert len(refused) == 2
