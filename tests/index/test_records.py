"""News exports: JSON lines, JSON arrays and CSV; field mapping; bad records named by file and line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from index.documents import Document, Refusal, iter_articles, read_articles
from index.records import FieldMap

ARTICLE_1 = "أعلنت الوزارة افتتاح الجسر الجديد. وقال المتحدث إن العمل استمر عامين."
ARTICLE_2 = "The port reopened on Monday after repairs.\nShips queued outside overnight."


def split(items) -> tuple[dict[str, Document], dict[str, str]]:
    docs, refused = {}, {}
    for item in items:
        if isinstance(item, Refusal):
            refused[item.name] = item.reason
        else:
            docs[item.doc_id] = item
    return docs, refused


def jsonl(*records: object) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records).encode()


# -- JSON lines --------------------------------------------------------------------------------------
def test_jsonl_records_with_metadata() -> None:
    data = jsonl(
        {"id": "a1", "title": "الجسر", "text": ARTICLE_1, "date": "2015-07-21 02:51:32", "source": "okaz",
         "url": "https://example.com/a1"},
        {"id": 7, "headline": "Port", "body": ARTICLE_2, "date": "July 20, 2015", "outlet": "Gulf Daily"},
    )
    docs, refused = split(read_articles("news.jsonl", data))
    assert refused == {}
    a, b = docs["news.jsonl#a1"], docs["news.jsonl#7"]
    assert (a.title, a.source, a.date, a.url) == ("الجسر", "okaz", "2015-07-21T02:51:32", "https://example.com/a1")
    assert a.text == ARTICLE_1
    assert (b.title, b.source, b.date, b.url) == ("Port", "Gulf Daily", "2015-07-20", "")
    assert b.text == ARTICLE_2


def test_bad_records_are_refused_with_their_line_and_the_rest_goes_in() -> None:
    data = jsonl(
        {"id": "ok1", "text": ARTICLE_1},
        "",  # blank lines are skipped, not refused
        "{not json",
        {"id": "empty", "text": "   "},
        {"id": "nodate", "text": ARTICLE_2, "date": "sometime soon"},
        ["a", "list"],
        {"id": "badtitle", "text": ARTICLE_2, "title": {"x": 1}},
        {"id": "ok2", "text": ARTICLE_2, "date": ""},
    )
    docs, refused = split(read_articles("feed.jsonl", data))
    assert sorted(docs) == ["feed.jsonl#ok1", "feed.jsonl#ok2"]
    assert docs["feed.jsonl#ok2"].date == ""
    assert set(refused) == {"feed.jsonl:3", "feed.jsonl:4", "feed.jsonl:5", "feed.jsonl:6", "feed.jsonl:7"}
    assert "not valid JSON" in refused["feed.jsonl:3"]
    assert "has no text" in refused["feed.jsonl:4"] and "--field text=NAME" in refused["feed.jsonl:4"]
    assert "bad date" in refused["feed.jsonl:5"] and "sometime soon" in refused["feed.jsonl:5"]
    assert "not an object" in refused["feed.jsonl:6"]
    assert "title is not text" in refused["feed.jsonl:7"]


def test_records_without_an_id_are_numbered() -> None:
    docs, _ = split(read_articles("x.jsonl", jsonl({"text": ARTICLE_1}, {"text": ARTICLE_2})))
    assert sorted(docs) == ["x.jsonl#1", "x.jsonl#2"]


def test_field_map_reads_other_names() -> None:
    data = jsonl({"content": ARTICLE_1, "date_extracted": "2015-07-21 02:51:32", "paper": "aawsat", "link": "u"})
    plain, _ = split(read_articles("x.jsonl", data))
    assert plain["x.jsonl#1"].date == "" and plain["x.jsonl#1"].source == ""
    mapped, _ = split(read_articles("x.jsonl", data, fields=FieldMap.parse(["date=date_extracted", "source=paper"])))
    doc = mapped["x.jsonl#1"]
    assert (doc.date, doc.source, doc.url) == ("2015-07-21T02:51:32", "aawsat", "u")


def test_field_names_are_matched_in_any_case() -> None:
    docs, _ = split(read_articles("x.jsonl", jsonl({"Title": "T", "TEXT": ARTICLE_1})))
    assert docs["x.jsonl#1"].title == "T"


@pytest.mark.parametrize(
    ("spec", "message"),
    [("date", "FIELD=NAME"), ("date=", "FIELD=NAME"), ("author=writer", "the fields are id, title, text")],
)
def test_bad_field_flags_say_how_to_write_them(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FieldMap.parse([spec])


def test_metadata_changes_the_content_hash() -> None:
    one = split(read_articles("x.jsonl", jsonl({"text": ARTICLE_1, "date": "2015-07-21"})))[0]["x.jsonl#1"]
    two = split(read_articles("x.jsonl", jsonl({"text": ARTICLE_1, "date": "2015-07-22"})))[0]["x.jsonl#1"]
    assert one.sha256 != two.sha256


# -- JSON arrays and single objects ------------------------------------------------------------------
def test_json_array_pretty_printed_reports_each_records_line() -> None:
    records = [{"title": "a", "content": ARTICLE_1}, {"title": "b", "content": ""}, {"title": "c", "content": ARTICLE_2}]
    text = json.dumps(records, ensure_ascii=False, indent=2)
    docs, refused = split(read_articles("day.json", text.encode()))
    assert sorted(docs) == ["day.json#1", "day.json#3"]
    [(where, reason)] = refused.items()
    line = text.count("\n", 0, text.index('"title": "b"'))  # the record's "{" is one line above its first key
    assert where == f"day.json:{line}" and "record 2 has no text" in reason


def test_json_array_syntax_error_keeps_what_came_before() -> None:
    text = '[\n{"text": "First article here."},\n{"text": "Second" oops},\n{"text": "Third."}\n]'
    docs, refused = split(read_articles("broken.json", text.encode()))
    assert list(docs) == ["broken.json#1"]
    assert list(refused) == ["broken.json:3"] and "rest of the file was skipped" in refused["broken.json:3"]


def test_json_single_object_and_json_lines_in_a_json_file() -> None:
    one, _ = split(read_articles("one.json", json.dumps({"id": "z", "text": ARTICLE_1}).encode()))
    assert list(one) == ["one.json#z"]
    lines, _ = split(read_articles("many.json", jsonl({"text": ARTICLE_1}, {"text": ARTICLE_2})))
    assert sorted(lines) == ["many.json#1", "many.json#2"]


def test_json_that_holds_no_articles_is_refused() -> None:
    _, refused = split(read_articles("n.json", b'"just a string"'))
    assert refused == {"n.json": "not a JSON array or object of articles"}


# -- CSV ---------------------------------------------------------------------------------------------
def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def test_csv_with_multiline_quoted_text_and_bad_rows() -> None:
    data = csv_bytes(
        [
            ["id", "title", "body", "date", "source", "url"],
            ["1", "Port", ARTICLE_2, "2015-07-20", "Gulf Daily", "https://example.com/p"],  # text spans 2 lines
            ["2", "Empty", "", "2015-07-20", "x", ""],
            ["3", "Bad date", ARTICLE_1, "31/02/2015", "x", ""],
            ["4", "Bridge", ARTICLE_1, "21 يوليو 2015", "okaz", ""],
        ]
    ) + b"5,too,few\n"
    docs, refused = split(read_articles("export.csv", data))
    assert sorted(docs) == ["export.csv#1", "export.csv#4"]
    assert docs["export.csv#1"].text == ARTICLE_2 and docs["export.csv#4"].date == "2015-07-21"
    assert set(refused) == {"export.csv:4", "export.csv:5", "export.csv:7"}  # row 1 took lines 2-3
    assert "has no text" in refused["export.csv:4"]
    assert "bad date" in refused["export.csv:5"]
    assert "3 fields, the header has 6" in refused["export.csv:7"]


def test_csv_without_a_text_column_is_refused_once() -> None:
    _, refused = split(read_articles("t.csv", csv_bytes([["id", "headline"], ["1", "x"]])))
    assert list(refused) == ["t.csv:1"] and "no text column" in refused["t.csv:1"]


# -- through the folder walk, and zips ---------------------------------------------------------------
def test_folder_mixes_formats_and_zip_members_are_read(tmp_path: Path) -> None:
    import zipfile

    (tmp_path / "a.txt").write_text(ARTICLE_1, encoding="utf-8")
    (tmp_path / "feed.jsonl").write_bytes(jsonl({"id": "k", "text": ARTICLE_2, "source": "wire"}))
    with zipfile.ZipFile(tmp_path / "2015-07-21.zip", "w") as z:
        z.writestr("2015-07-21.json", json.dumps([{"content": ARTICLE_1, "date_extracted": "2015-07-21 01:00:00"}]))
        z.writestr("notes.bin", b"\x00\x01")  # not an article file: skipped silently, as in a folder
    docs, refused = split(iter_articles([tmp_path], fields=FieldMap.parse(["date=date_extracted"])))
    assert refused == {}
    assert sorted(docs) == ["2015-07-21.zip/2015-07-21.json#1", "a.txt", "feed.jsonl#k"]
    assert docs["2015-07-21.zip/2015-07-21.json#1"].date == "2015-07-21T01:00:00"
    assert docs["feed.jsonl#k"].source == "wire"


def test_a_broken_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    _, refused = split(iter_articles([tmp_path / "bad.zip"]))
    assert refused == {"bad.zip": "not a readable zip archive"}


def test_a_zip_member_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "big.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("huge.jsonl", jsonl({"text": "word " * 50_000}))
        z.writestr("small.jsonl", jsonl({"text": ARTICLE_2}))
    docs, refused = split(iter_articles([tmp_path / "big.zip"], max_bytes=100_000))
    assert list(docs) == ["big.zip/small.jsonl#1"]
    assert "too large" in refused["big.zip/huge.jsonl"]


def test_offsets_point_into_the_stored_text() -> None:
    from index.passages import split_passages

    docs, _ = split(read_articles("x.jsonl", jsonl({"text": "\r\n".join([ARTICLE_1] * 40)})))
    doc = docs["x.jsonl#1"]
    assert "\r" not in doc.text
    for p in split_passages(doc.doc_id, doc.text, 30):
        assert doc.text[p.start : p.end] == p.text
