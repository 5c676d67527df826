"""The dictd reader, the news glossary and the lexicon cache, on files written here, plus the real ones."""

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
    GlossaryError,
    Lexicon,
    b64_number,
    load_lexicon,
    parse_entry,
    read_dictd,
    read_glossary,
)

SHIPPED_GLOSSARY = lexmod.DEFAULT_GLOSSARY  # before the fixture below points the default elsewhere

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
    ("القوات", "القوات /ʔalquwwaːt/\n1. Forces\n2. Troops\n"),
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


# A glossary written here: drones / troops in their news forms, one key FreeDict also has (troops).
GLOSSARY = """# test glossary
drones\tمسيرات
drones\tطائرات مسيّرة

troops\tالعسكريين
troops\tجنود
"""


@pytest.fixture(autouse=True)
def glossary(tmp_path: Path, monkeypatch) -> Path:
    """Every test here reads this small glossary by default instead of the shipped one."""
    path = tmp_path / "glossary.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    monkeypatch.setattr(lexmod, "DEFAULT_GLOSSARY", path)
    return path


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
    assert load_lexicon(REAL, cache, glossary=SHIPPED_GLOSSARY) is not None
    t0 = time.perf_counter()
    lex = load_lexicon(REAL, cache, glossary=SHIPPED_GLOSSARY)
    elapsed = time.perf_counter() - t0
    assert lex is not None
    assert elapsed < 2.0  # about 0.1 s on a developer machine; generous for slow CI
    assert lex.en_to_ar["negotiations"][0] == "المفاوضات"
    assert lex.en_to_ar["talks"][:2] == ["محادثات", "المحادثات"]  # the glossary's form, then FreeDict's
    assert lex.en_to_ar["envoy"][0] == "المبعوث"
    assert "envoy" in lex.ar_to_en["المبعوث"]
    assert "negotiations" in lex.ar_to_en["مفاوضات"]  # ara-eng lacks it; learned from eng-ara
    assert len(lex.en_to_ar) > 50_000 and len(lex.ar_to_en) > 50_000
    # the shipped news glossary ahead of FreeDict, FreeDict's sense still there
    assert lex.en_to_ar["drones"][0] == "مسيرات" and "الطائرات بدون طيار" in lex.en_to_ar["drones"]
    assert lex.en_to_ar["troops"][0] == "القوات" and "العسكريين" in lex.en_to_ar["troops"]
    assert lex.ar_to_en["مسيره"][0] == "drone" and "troops" in lex.ar_to_en["العسكريين"]


# ---------------------------------------------------------------- news glossary


def test_read_glossary_pairs_in_order(glossary: Path) -> None:
    assert read_glossary(glossary) == [
        ("drones", "مسيرات"),
        ("drones", "طائرات مسيّرة"),
        ("troops", "العسكريين"),
        ("troops", "جنود"),
    ]  # comments and blank lines skipped, file order kept


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("drones مسيرات", "expected 'english<TAB>arabic', got 1 field"),
        ("drones\tمسيرات\textra", "got 3 field"),
        ("drones\t", "got 2 field"),  # an empty column
        ("مسيرات\tdrones", "the first column must be English"),  # swapped columns
        ("drones\tdrones", "the second column must be Arabic"),
    ],
)
def test_malformed_glossary_line_is_refused_naming_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(f"# header\ntroops\tجنود\n{line}\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="bad.tsv line 3") as err:
        read_glossary(path)
    assert message in str(err.value)


def test_glossary_senses_first_freedict_senses_remain(dict_dir: Path, tmp_path: Path) -> None:
    lex = load_lexicon(dict_dir, tmp_path / "cache")
    assert lex is not None
    # English -> Arabic: the glossary's forms, in file order, ahead of FreeDict's (inverted القوات)
    assert lex.en_to_ar["troops"] == ["العسكريين", "جنود", "القوات"]
    assert lex.en_to_ar["drones"] == ["مسيرات", "طائرات مسيره"]  # normalized like FreeDict's
    assert lex.en_to_ar["envoy"] == ["المبعوث"]  # keys the glossary lacks are untouched
    assert set(lex.ar_to_en["القوات"]) == {"forces", "troops"}  # FreeDict's own keys stay as they were
    assert lex.ar_to_en["جنود"] == ["troops"]
    assert lex.ar_to_en["مسيرات"] == ["drones"]
    assert lex.meta["glossary"] == "glossary.tsv:4"


def test_glossary_arabic_gets_derived_keys(dict_dir: Path, tmp_path: Path) -> None:
    lex = load_lexicon(dict_dir, tmp_path / "cache")
    assert lex is not None
    assert lex.ar_to_en["عسكريين"] == ["troops"]  # without ال
    assert lex.ar_to_en["عسكر"] == ["troops"]  # light10 stem
    assert lex.ar_to_en["طائرات مسيره"] == ["drones"]  # a phrase, exact
    assert "طائرات مسيره" not in lex.en_to_ar  # (values are not keys the other way)


def test_glossary_ranks_ahead_of_freedict_on_an_exact_arabic_key(dict_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "gl.tsv"
    path.write_text("squad\tفريق\n", encoding="utf-8")
    lex = load_lexicon(dict_dir, tmp_path / "cache", glossary=path)
    assert lex is not None
    assert lex.ar_to_en["فريق"] == ["squad", "team", "contingent"]  # FreeDict's common-first order kept


def test_changed_glossary_changes_fingerprint_and_rebuilds(
    dict_dir: Path, tmp_path: Path, glossary: Path
) -> None:
    cache = tmp_path / "cache"
    first = load_lexicon(dict_dir, cache)
    assert first is not None and "airstrikes" not in first.en_to_ar
    glossary.write_text(GLOSSARY + "airstrikes\tغارات جوية\n", encoding="utf-8")
    second = load_lexicon(dict_dir, cache)
    assert second is not None
    assert second.meta["fingerprint"] != first.meta["fingerprint"]
    assert second.en_to_ar["airstrikes"] == ["غارات جويه"]
    assert (
        json.loads((cache / CACHE_NAME).read_text(encoding="utf-8"))["en_to_ar"]["airstrikes"] == "غارات جويه"
    )


def test_malformed_or_missing_glossary_leaves_freedict_alone(dict_dir: Path, tmp_path: Path, caplog) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("drones\tمسيرات\nمسيرات\tdrones\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="index.lexicon"):
        lex = load_lexicon(dict_dir, tmp_path / "cache-bad", glossary=bad)
    assert lex is not None and "drones" not in lex.en_to_ar  # refused whole, not half-read
    assert lex.en_to_ar["troops"] == ["القوات"] and "glossary" not in lex.meta
    assert any("bad.tsv line 2" in r.getMessage() for r in caplog.records)
    missing = load_lexicon(dict_dir, tmp_path / "cache-missing", glossary=tmp_path / "nowhere.tsv")
    assert missing is not None and missing.en_to_ar["troops"] == ["القوات"]
    licence = (tmp_path / "cache-missing" / LICENCE_NAME).read_text(encoding="utf-8")
    assert "MIT" not in licence  # no glossary in this cache, so no note about it


def test_licence_notes_the_glossary_is_ours_and_mit(dict_dir: Path, tmp_path: Path) -> None:
    load_lexicon(dict_dir, tmp_path / "cache")
    licence = (tmp_path / "cache" / LICENCE_NAME).read_text(encoding="utf-8")
    assert "GPL-2+" in licence and "FreeDict" in licence
    assert "glossary.tsv" in licence and "MIT" in licence


def test_glossary_alone_is_no_lexicon(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(lexmod, "_warned_missing", True)
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert load_lexicon(empty, tmp_path / "cache", glossary=SHIPPED_GLOSSARY) is None


def test_shipped_glossary_parses_and_is_general() -> None:
    pairs = read_glossary(SHIPPED_GLOSSARY)
    assert 300 <= len(pairs) <= 600
    english = {e for e, _ in pairs}
    assert {"drone", "drones", "troops", "airstrikes", "ceasefire", "gdp", "air defense"} <= english
    assert all(e == e.lower() for e in english)  # keys are matched lowercased
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'index = ["data/*.tsv"]' in pyproject  # shipped with the package
