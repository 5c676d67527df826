"""The dictd reader and the lexicon cache, on a dictd pair written here, plus the real FreeDict."""

from __future__ import annotations

import gzip
import json
import logging
import time
from pathlib import Path

import pytest

from index import lexicon as lexmod
from index.lexicon import (
    CACHE_NAME,
    LICENCE_NAME,
    Lexicon,
    b64_number,
    load_lexicon,
    parse_entry,
    read_dictd,
)

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

EN_AR = [
    ("envoy", "Envoy /ˈɛnvɔɪ/\nالمبعوث\n"),
    ("negotiations", "Negotiations /nɪɡˌəʊʃɪˈeɪʃənz/\nالمفاوضات\n"),
    ("state", "State /stˈeɪt/\nالحالة، الدولة، يقرّ\n"),
    ("good", "Good /ɡˈʊd/\n1. جيّد\n2. صالح (نافع)\n"),
    ("ceasefire", "Ceasefire /sˈiːsfaɪə/\nوقف إطلاق النار\n"),
    ("prime minister", "Prime minister\nرئيس الوزراء\n"),
    ("aye", "Aye /ˈaɪ/\nآي - الحرف الأول في اللغة الإنجليزية\n"),
]
AR_EN = [
    ("المبعوث", "المبعوث /ʔalmˈabʕuːθ/\n1. Envoy\n2. Emissary\n"),
    ("فريق", "فريق /fˈariːq/\n1. Contingent\n2. Team\n"),
    ("الفرق", "الفرق /ʔalfˈirq/\nTeams\n"),
    ("يناير", "يناير/كانون الثاني /jˈanaːjir/\nJanuary\n"),
]


def b64_encode(n: int) -> str:
    digits = ""
    while True:
        digits = _ALPHABET[n % 64] + digits
        n //= 64
        if n == 0:
            return digits


def write_dictd(folder: Path, name: str, entries: list[tuple[str, str]], info: str) -> None:
    """A dictd pair the way dictfmt writes it: base-64 offsets into the uncompressed data."""
    data = b""
    lines = []
    for head, body in [("00databaseinfo", info), ("00databaseutf8", "")] + entries:
        raw = body.encode("utf-8")
        lines.append(f"{head}\t{b64_encode(len(data))}\t{b64_encode(len(raw))}")
        data += raw
    (folder / f"{name}.index").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as fh:
        fh.write(data)


@pytest.fixture
def dict_dir(tmp_path: Path) -> Path:
    d = tmp_path / "dictd"
    d.mkdir()
    write_dictd(d, "freedict-eng-ara", EN_AR, "English-Arabic test dictionary\nGPL-2+ test notice\n")
    write_dictd(d, "freedict-ara-eng", AR_EN, "Arabic-English test dictionary\nGPL-2+ test notice\n")
    return d


@pytest.mark.parametrize(("text", "value"), [("A", 0), ("B", 1), ("/", 63), ("BA", 64), ("hX", 33 * 64 + 23)])
def test_b64_number(text: str, value: int) -> None:
    assert b64_number(text) == value
    assert b64_number(b64_encode(value)) == value


def test_read_dictd_slices_the_uncompressed_stream(dict_dir: Path) -> None:
    entries = dict(read_dictd(dict_dir / "freedict-eng-ara.index", dict_dir / "freedict-eng-ara.dict.dz"))
    assert entries["envoy"] == EN_AR[0][1]
    assert entries["aye"] == EN_AR[-1][1]
    assert entries["00databaseinfo"].startswith("English-Arabic test")


def test_parse_entry_senses_and_alternatives() -> None:
    assert parse_entry("Envoy /ˈɛnvɔɪ/\nالمبعوث\n") == ("Envoy", [["المبعوث"]])
    head, senses = parse_entry("Good /ɡˈʊd/\n1. جيّد\n2. صالح (نافع)\n")
    assert head == "Good"
    assert senses == [["جيّد"], ["صالح", "نافع"]]  # numbered senses; a bracket is an alternative
    assert parse_entry("State /s/\nالحالة، الدولة، يقرّ\n")[1] == [["الحالة", "الدولة", "يقرّ"]]
    # "word - definition" keeps the word only
    assert parse_entry("Aye /ˈaɪ/\nآي - الحرف الأول في اللغة الإنجليزية\n")[1] == [["آي"]]


def test_build_both_directions_normalized(dict_dir: Path, tmp_path: Path) -> None:
    lex = load_lexicon(dict_dir, tmp_path / "cache")
    assert lex is not None
    assert lex.en_to_ar["envoy"] == ["المبعوث"]
    assert lex.en_to_ar["state"] == ["الحاله", "الدوله", "يقر"]  # split, diacritics gone, ة -> ه
    assert lex.en_to_ar["prime minister"] == ["رئيس الوزراء"]
    assert lex.en_to_ar["ceasefire"] == ["وقف اطلاق النار"]
    assert lex.max_en_words == 2
    # Arabic keys: exact, without ال, by light10 stem; learned from both dictionaries
    assert lex.ar_to_en["المبعوث"][0] == "envoy"
    assert "emissary" in lex.ar_to_en["مبعوث"]
    assert lex.ar_to_en["مفاوض"] == ["negotiations"]  # stem of المفاوضات, from eng-ara only
    assert lex.ar_to_en["يناير"] == ["january"] and lex.ar_to_en["كانون الثاني"] == ["january"]
    # senses of ara-eng come alphabetically; the common word goes first
    assert lex.ar_to_en["فريق"][0] == "team"
    # inverted: English words of ara-eng reach en_to_ar
    assert lex.en_to_ar["teams"] == ["الفرق"]


def test_cache_is_json_with_licence_and_reused(dict_dir: Path, tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    built = load_lexicon(dict_dir, cache)
    assert built is not None
    data = json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))
    assert data["meta"]["fingerprint"] == built.meta["fingerprint"]
    licence = (cache / LICENCE_NAME).read_text(encoding="utf-8")
    assert "GPL-2+" in licence and "FreeDict" in licence and "Arabeyes" in licence
    assert "English-Arabic test dictionary" in licence  # the dictionary's own notice is copied

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt although the cache is valid")

    monkeypatch.setattr(lexmod, "build_lexicon", no_build)
    loaded = load_lexicon(dict_dir, cache)
    assert loaded is not None
    assert dict(loaded.en_to_ar.items()) == dict(built.en_to_ar.items())
    assert dict(loaded.ar_to_en.items()) == dict(built.ar_to_en.items())


def test_changed_dictionary_rebuilds(dict_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_lexicon(dict_dir, cache)
    assert first is not None and "talks" not in first.en_to_ar
    write_dictd(dict_dir, "freedict-eng-ara", EN_AR + [("talks", "Talks /tˈɔːks/\nالمحادثات\n")], "info\n")
    second = load_lexicon(dict_dir, cache)
    assert second is not None
    assert second.en_to_ar["talks"] == ["المحادثات"]
    assert second.meta["fingerprint"] != first.meta["fingerprint"]


def test_corrupt_cache_is_rebuilt(dict_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_NAME).write_text("{not json", encoding="utf-8")
    lex = load_lexicon(dict_dir, cache)
    assert lex is not None and lex.en_to_ar["envoy"] == ["المبعوث"]
    assert json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))["en_to_ar"]


def test_no_dictionary_gives_none_and_one_warning(tmp_path: Path, caplog, monkeypatch) -> None:
    monkeypatch.setattr(lexmod, "_warned_missing", False)
    empty = tmp_path / "nothing"
    empty.mkdir()
    with caplog.at_level(logging.WARNING, logger="index.lexicon"):
        assert load_lexicon(empty, tmp_path / "cache") is None
        assert load_lexicon(empty, None) is None
    warnings = [r for r in caplog.records if r.name == "index.lexicon"]
    assert len(warnings) == 1 and "FreeDict" in warnings[0].getMessage()
    assert not (tmp_path / "cache").exists()


def test_cache_without_sources_still_loads(dict_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_lexicon(dict_dir, cache)
    lex = load_lexicon(tmp_path / "elsewhere", cache)  # the index moved to a machine without dictd
    assert lex is not None and lex.en_to_ar["envoy"] == ["المبعوث"]


def test_corrupt_dictionary_gives_none(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "freedict-eng-ara.index").write_text("envoy\tA\tZ\n", encoding="utf-8")
    (d / "freedict-eng-ara.dict.dz").write_bytes(b"not gzip at all")
    assert load_lexicon(d, tmp_path / "cache") is None


def test_lexicon_built_by_hand_needs_no_files() -> None:
    lex = Lexicon(en_to_ar={"talks": ["المحادثات"], "air defense": ["الدفاع الجوي"]}, ar_to_en={})
    assert lex.max_en_words == 2


REAL = Path("/usr/share/dictd")


@pytest.mark.skipif(
    not (REAL / "freedict-eng-ara.index").is_file() or not (REAL / "freedict-ara-eng.index").is_file(),
    reason="FreeDict dictd files (dict-freedict-eng-ara, dict-freedict-ara-eng) are not installed",
)
def test_real_freedict(sanad_home: Path) -> None:
    cache = sanad_home / "lexicon-cache"  # shared with the other tests that use the real dictionary
    assert load_lexicon(REAL, cache) is not None
    t0 = time.perf_counter()
    lex = load_lexicon(REAL, cache)
    elapsed = time.perf_counter() - t0
    assert lex is not None
    assert elapsed < 2.0  # about 0.1 s on a developer machine; generous for slow CI
    assert lex.en_to_ar["negotiations"][0] == "المفاوضات"
    assert lex.en_to_ar["talks"][0] == "المحادثات"
    assert lex.en_to_ar["envoy"][0] == "المبعوث"
    assert "envoy" in lex.ar_to_en["المبعوث"]
    assert "negotiations" in lex.ar_to_en["مفاوضات"]  # ara-eng lacks it; learned from eng-ara
    assert len(lex.en_to_ar) > 50_000 and len(lex.ar_to_en) > 50_000
