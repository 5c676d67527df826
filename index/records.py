"""News exports as records: JSON lines, JSON arrays and CSV rows, each one article with metadata.

A record names its fields (`id`, `title`, `text`, `date`, `source`, `url`) however the exporting
system did; `FieldMap` says which names to look for (the usual ones by default, a flag such as
`--field date=date_extracted` for others). Each bad record (no text, an unreadable date, a line
that is not JSON) becomes a `Refusal` naming the file and line, and the rest of the file goes in.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from index.documents import Document, Refusal, make_document
from index.pubdate import BadDate, parse_published

FIELDS = ("id", "title", "text", "date", "source", "url")
DEFAULT_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title", "headline"),
    "text": ("text", "content", "body"),
    "date": ("date", "published", "pubdate", "date_published"),
    "source": ("source", "outlet", "publisher", "site"),
    "url": ("url", "link"),
}


@dataclass(frozen=True)
class FieldMap:
    """For each article field, the record keys that may hold it (first non-empty wins; case ignored)."""

    names: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_NAMES))

    @classmethod
    def parse(cls, specs: list[str] | None) -> FieldMap:
        """`["date=date_extracted", "text=article_body"]` -> the defaults with those fields replaced."""
        names = dict(DEFAULT_NAMES)
        for spec in specs or []:
            key, sep, value = spec.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not sep or not value:
                msg = f"--field {spec!r}: write it as FIELD=NAME, e.g. --field date=date_extracted"
                raise ValueError(msg)
            if key not in FIELDS:
                msg = f"--field {spec!r}: the fields are {', '.join(FIELDS)}"
                raise ValueError(msg)
            names[key] = tuple(v.strip() for v in value.split(",") if v.strip())
        return cls(names)

    def pick(self, record: Mapping[str, object], name: str) -> object:
        lowered: dict[str, object] | None = None
        for key in self.names.get(name, ()):
            value = record.get(key)
            if value is None:  # the exact key first; then any spelling of it (Title, TITLE)
                if lowered is None:
                    lowered = {str(k).strip().lower(): v for k, v in record.items()}
                value = lowered.get(key.lower())
            if value is not None and value != "":
                return value
        return None


def _text_value(value: object, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        msg = f"{what} is not text ({type(value).__name__})"
        raise ValueError(msg)
    return str(value).strip()


def record_document(file_id: str, line: int, number: int, record: object, fields: FieldMap) -> Document | Refusal:
    """One record -> an article whose id is `FILE#ID` (`FILE#NUMBER` when the record has no id)."""
    where = f"{file_id}:{line}"
    if not isinstance(record, Mapping):
        return Refusal(where, f"record {number} is not an object ({type(record).__name__})")
    try:
        text = _text_value(fields.pick(record, "text"), "text")
        rid = _text_value(fields.pick(record, "id"), "id") or str(number)
        title = _text_value(fields.pick(record, "title"), "title")
        source = _text_value(fields.pick(record, "source"), "source")
        url = _text_value(fields.pick(record, "url"), "url")
    except ValueError as e:
        return Refusal(where, f"record {number}: {e}")
    if not text:
        keys = "/".join(fields.names["text"])
        return Refusal(where, f"record {number} has no text (looked for {keys}; map another with --field text=NAME)")
    try:
        date = parse_published(fields.pick(record, "date")) or ""
    except BadDate as e:
        return Refusal(where, f"record {number}: bad date: {e}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = " ".join(title.split())
    return make_document(f"{file_id}#{rid}", text, title=title, source=source, date=date, url=url)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def json_lines(file_id: str, text: str, fields: FieldMap) -> Iterator[Document | Refusal]:
    """One JSON object per line; blank lines are skipped, a line that is not JSON is refused."""
    number = 0
    for i, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        number += 1
        try:
            record = json.loads(line)
        except ValueError as e:
            yield Refusal(f"{file_id}:{i}", f"record {number} is not valid JSON ({e.msg} at column {e.colno})")
            continue
        yield record_document(file_id, i, number, record, fields)


def json_array(file_id: str, text: str, fields: FieldMap) -> Iterator[Document | Refusal]:
    """A JSON array of objects, read element by element so each keeps its line number; a syntax
    error ends the file there (what follows cannot be trusted) and everything before it goes in."""
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, text.index("[") + 1)
    number = 0
    line, counted = 1, 0  # the line of `counted`, advanced as `pos` moves (never recounted from 0)

    def line_at(p: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, p)
        counted = p
        return line

    if pos < len(text) and text[pos] == "]":
        return
    while True:
        number += 1
        try:
            record, end = decoder.raw_decode(text, pos)
        except ValueError as e:
            yield Refusal(f"{file_id}:{line_at(pos)}", f"record {number} is not valid JSON ({e.msg}); the rest of the file was skipped")
            return
        yield record_document(file_id, line_at(pos), number, record, fields)
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            return
        yield Refusal(f"{file_id}:{line_at(pos)}", "expected ',' or ']' after a record; the rest of the file was skipped")
        return


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def json_records(file_id: str, text: str, fields: FieldMap) -> Iterator[Document | Refusal]:
    """A `.json` file: an array of articles, one article object, or JSON lines."""
    head = text.lstrip()[:1]
    if head == "[":
        yield from json_array(file_id, text, fields)
        return
    if head == "{":
        try:
            record = json.loads(text)
        except ValueError:
            yield from json_lines(file_id, text, fields)  # not one object: maybe one per line
            return
        yield record_document(file_id, _line_of(text, text.index("{")), 1, record, fields)
        return
    yield Refusal(file_id, "not a JSON array or object of articles")


def csv_records(file_id: str, text: str, fields: FieldMap) -> Iterator[Document | Refusal]:
    """A CSV file with a header row; quoted fields may span lines (the line reported is the record's first)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as e:
        yield Refusal(f"{file_id}:1", f"the header row is not valid CSV ({e})")
        return
    if not any(k.strip().lower() in {n.lower() for n in fields.names["text"]} for k in header):
        keys = "/".join(fields.names["text"])
        yield Refusal(f"{file_id}:1", f"no text column (looked for {keys}; map another with --field text=NAME)")
        return
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            number += 1
            yield Refusal(f"{file_id}:{line}", f"record {number} is not valid CSV ({e}); the rest of the file was skipped")
            return
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        if len(row) != len(header):
            yield Refusal(f"{file_id}:{line}", f"record {number} has {len(row)} fields, the header has {len(header)}")
            continue
        yield record_document(file_id, line, number, dict(zip(header, row, strict=True)), fields)


READERS = {".jsonl": json_lines, ".ndjson": json_lines, ".json": json_records, ".csv": csv_records}
