"""English<->Arabic word lists from the FreeDict dictd files, for cross-lingual retrieval.

English questions over Arabic articles need Arabic query terms, and the English-only embedder
needs an English gloss of Arabic text. FreeDict (Arabeyes wordlist, GPL-2+) ships as dictd files in
Debian; we read them with the stdlib once, fold both directions into two plain maps and cache them
as JSON next to the index, together with the dictionary's licence notice. The system must keep
working monolingually without them, so a missing dictionary gives `None`, never an error.

FreeDict is old and misses modern news usage (drones are «مسيرات», troops «العسكريين»), so our own
news glossary (data/news_glossary.tsv, MIT like the rest of Sanad) is merged in: its pairs go in
both maps ahead of FreeDict's senses for the same key, FreeDict's following. The glossary only
supplements a dictionary: without the dictd files the result is still `None` (a few hundred news
words cannot translate a question), and a glossary file that is missing or malformed is skipped
with a warning, leaving FreeDict alone.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from index.normalize import ANALYZER_VERSION, normalize
from index.stem import stem

log = logging.getLogger(__name__)

DEFAULT_DICT_DIR = Path("/usr/share/dictd")
EN_AR = "freedict-eng-ara"
AR_EN = "freedict-ara-eng"
CACHE_NAME = "lexicon-freedict.json"
LICENCE_NAME = "lexicon-freedict.LICENSE.txt"
# Our supplementary news glossary: "english<TAB>arabic" lines, see the file's own header.
DEFAULT_GLOSSARY = Path(__file__).with_name("data") / "news_glossary.tsv"
# Bump when the parsing or the JSON layout changes, so old caches rebuild.
FORMAT_VERSION = "6"

MAX_EN_TO_AR = 8  # translations kept per English key
MAX_AR_TO_EN = 6  # English words kept per Arabic key
MAX_SENSE_WORDS = 4  # longer "translations" are definitions, not words
MIN_DERIVED_KEY = 3  # shorter stems of other words would shadow real words

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_SENSE_NO = re.compile(r"^\s*\d+\.\s*")
_SPLIT = re.compile(r"[,;/\u060c\u061b]")
_PAREN = re.compile(r"\(([^)]*)\)")
_JUNK = re.compile(r'[\\"*:!?\u061f\u200e\u200f\xa0]+')
_SPACES = re.compile(r"\s+")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")

_warned_missing = False


class PackedMap(Mapping[str, list[str]]):
    """A read-only str -> list[str] map stored as tab-joined strings, split on access.

    Loading the cache then costs one json.load of a flat object (well under 0.5 s) instead of
    building ~180k small lists nobody will look at.
    """

    __slots__ = ("_data",)

    def __init__(self, packed: dict[str, str]) -> None:
        self._data = packed

    def __getitem__(self, key: str) -> list[str]:
        return self._data[key].split("\t")

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: list[str] | None = None) -> list[str] | None:  # type: ignore[override]
        # Mapping.get goes through a raised KeyError on every miss; most look-ups miss.
        v = self._data.get(key)
        return v.split("\t") if v is not None else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class Lexicon:
    """Both directions of the dictionary, keys and Arabic values normalized (index.normalize).

    en_to_ar: lowercased English headword (single or multi-word) -> Arabic translations, best first.
    ar_to_en: normalized Arabic word or phrase, also keyed without ال and by its light10 stem ->
              lowercased English words, best first.
    """

    en_to_ar: Mapping[str, list[str]]
    ar_to_en: Mapping[str, list[str]]
    meta: dict[str, str] = field(default_factory=dict)  # format, fingerprint of the sources
    _max_en_words: int = field(default=0, init=False, repr=False, compare=False)
    _ar_heads: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    # index.gloss.gloss_word's answers: indexing a corpus asks about the same words again and again.
    gloss_cache: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def ar_phrase_heads(self) -> frozenset[str]:
        """First words of the multi-word Arabic keys: a word outside this set starts no phrase."""
        if self._ar_heads is None:
            self._ar_heads = frozenset(k.split(" ", 1)[0] for k in self.ar_to_en if " " in k)
        return self._ar_heads

    @property
    def max_en_words(self) -> int:
        """Length in words of the longest English key: bounds the phrase look-up in queries."""
        if not self._max_en_words:
            self._max_en_words = max((k.count(" ") + 1 for k in self.en_to_ar), default=1)
        return self._max_en_words


# ---------------------------------------------------------------- dictd reading


def b64_number(text: str) -> int:
    """dictd's base-64 *number* (A=0 ... /=63, most significant digit first)."""
    n = 0
    for c in text:
        n = n * 64 + _B64[c]
    return n


def read_dictd(index_path: Path, dict_path: Path) -> Iterator[tuple[str, str]]:
    """(index headword, entry text) for every entry; metadata (00database*) entries included."""
    with gzip.open(dict_path, "rb") as fh:  # dictzip is a valid gzip stream
        data = fh.read()
    with open(index_path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            start, length = b64_number(parts[1]), b64_number(parts[2])
            yield parts[0], data[start : start + length].decode("utf-8", errors="replace")


def parse_entry(text: str) -> tuple[str, list[list[str]]]:
    """Headword (IPA removed) and its senses, each a list of alternative translations."""
    lines = [ln for ln in text.strip().split("\n") if ln.strip()]
    if not lines:
        return "", []
    head = lines[0].split(" /", 1)[0].strip()
    senses = []
    for line in lines[1:]:
        alts = []
        for part in _SPLIT.split(_SENSE_NO.sub("", line)):
            # "word - a definition" keeps the word; "(x)" is an alternative of its own.
            part = part.split(" - ", 1)[0]
            inner = _PAREN.findall(part)
            for alt in [_PAREN.sub(" ", part), *inner]:
                alt = _SPACES.sub(" ", _JUNK.sub(" ", alt)).strip(" -.")
                if alt and len(alt.split()) <= MAX_SENSE_WORDS and alt not in alts:
                    alts.append(alt)
        if alts:
            senses.append(alts)
    return head, senses


def _norm_ar(text: str) -> str:
    return _SPACES.sub(" ", normalize(text)).strip()


def _norm_en(text: str) -> str:
    return _SPACES.sub(" ", text.lower().replace("-", " ")).strip()


def _add(
    table: dict[str, list[tuple[tuple[int, ...], str]]], key: str, rank: tuple[int, ...], value: str
) -> None:
    if key and value:
        table.setdefault(key, []).append((rank, value))


def _ranked(table: dict[str, list[tuple[tuple[int, ...], str]]], cap: int) -> dict[str, list[str]]:
    out = {}
    for key, items in table.items():
        seen: list[str] = []
        for _, value in sorted(items):  # ties broken by the value itself: the same build every run
            if value != key and value not in seen:
                seen.append(value)
                if len(seen) == cap:
                    break
        if seen:
            out[key] = seen
    return out


def _commonness(words: set[str]) -> dict[str, tuple[int, int]]:
    """Sort key preferring common English words: FreeDict's Arabic->English senses come in
    alphabetical order, so the first one is no better than the last (فريق: contingent, team).

    A word listed with many derived forms (team, teams, teamed, teamwork) is usually a common
    one; among equals the shorter wins; multi-word glosses come last.
    """
    singles = [w for w in words if w.isalpha()]
    family = Counter(stem(w) for w in singles)
    return {w: (-min(family[stem(w)], 4) if w.isalpha() else 1, len(w)) for w in words}


# ---------------------------------------------------------------- news glossary


class GlossaryError(ValueError):
    """A line of the glossary file is not "english<TAB>arabic"; the message names file and line."""


def read_glossary(path: Path) -> list[tuple[str, str]]:
    """(english, arabic) pairs of a glossary file, in file order, as written (not normalized).

    Blank lines and lines starting with # are ignored; a repeated pair is kept once. Any other
    line must be two tab-separated fields, the first with Latin letters and no Arabic, the
    second Arabic with no Latin letters (which also catches swapped columns); otherwise the
    whole file is refused with a GlossaryError naming the line, rather than half-read.
    """
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            problem = None
            if len(fields) != 2 or not all(fields):
                problem = f"expected 'english<TAB>arabic', got {len(fields)} field(s)"
            elif not _LATIN_LETTER.search(fields[0]) or _ARABIC_LETTER.search(fields[0]):
                problem = "the first column must be English"
            elif not _ARABIC_LETTER.search(fields[1]) or _LATIN_LETTER.search(fields[1]):
                problem = "the second column must be Arabic"
            if problem:
                raise GlossaryError(f"{path.name} line {lineno}: {problem}: {line!r}")
            pair = (fields[0], fields[1])
            if pair not in seen:
                seen.add(pair)
                pairs.append(pair)
    return pairs


def build_lexicon(
    en_ar: tuple[Path, Path] | None,
    ar_en: tuple[Path, Path] | None,
    glossary: list[tuple[str, str]] | None = None,
) -> Lexicon:
    """Fold both dictionaries into the two maps; each direction also learns from the other one.

    English->Arabic: the glossary's pairs first, in file order, then the eng-ara dictionary in
    sense order, then inverted ara-eng entries, preferring those where the word is an early sense
    of an entry with few senses.
    Arabic->English: exact keys before derived ones (without ال, stemmed); within each, the
    glossary's English words first, in file order, then FreeDict's, common words first.
    """
    en: dict[str, list[tuple[tuple[int, ...], str]]] = {}
    ar_pairs: dict[str, set[str]] = {}
    ar_glossary: dict[str, dict[str, int]] = {}  # Arabic -> its glossary English words, by line order
    for order, (english, arabic) in enumerate(glossary or ()):
        ek, a = _norm_en(english), _norm_ar(arabic)
        _add(en, ek, (-1, order), a)
        if a and ek:
            ar_glossary.setdefault(a, {}).setdefault(ek, order)
    if en_ar:
        for key, text in read_dictd(*en_ar):
            if key.startswith("00database"):
                continue
            _, senses = parse_entry(text)
            ek = _norm_en(key)
            for si, alts in enumerate(senses):
                for ai, alt in enumerate(alts):
                    a = _norm_ar(alt)
                    _add(en, ek, (0, si, ai), a)
                    if a and ek:
                        ar_pairs.setdefault(a, set()).add(ek)
    if ar_en:
        for key, text in read_dictd(*ar_en):
            if key.startswith("00database") or key.isdigit():
                continue
            head, senses = parse_entry(text)
            # Some headwords list variants ("يناير/كانون الثاني"): each is a key of its own.
            for part in _SPLIT.split(head or key):
                a = _norm_ar(_JUNK.sub(" ", part))
                for si, alts in enumerate(senses):
                    for ai, alt in enumerate(alts):
                        e = _norm_en(alt)
                        _add(en, e, (1, si, len(senses), ai), a)
                        if a and e:
                            ar_pairs.setdefault(a, set()).add(e)
    common = _commonness({e for es in ar_pairs.values() for e in es})
    ar: dict[str, list[tuple[tuple[int, ...], str]]] = {}
    # Rank: (exact 0 / derived 1, glossary 0 / FreeDict 1, then line order or commonness).
    ranked_pairs = [(a, e, (0, order)) for a, es in ar_glossary.items() for e, order in es.items()]
    ranked_pairs += [(a, e, (1, *common[e])) for a, es in ar_pairs.items() for e in es]
    derived_of: dict[str, set[str]] = {}
    for a, e, rank in ranked_pairs:
        derived = derived_of.get(a)
        if derived is None:
            words = a.split(" ")
            # Derived keys: what a clitic-stripped or stemmed corpus word will look like.
            derived = {" ".join(stem(w) for w in words)}
            if words[0].startswith("ال") and len(words[0]) > 3:
                derived.add(" ".join([words[0][2:], *words[1:]]))
            derived = derived_of[a] = {v for v in derived if len(v) >= MIN_DERIVED_KEY} - {a}
        _add(ar, a, (0, *rank), e)
        for v in derived:
            _add(ar, v, (1, *rank), e)
    return Lexicon(en_to_ar=_ranked(en, MAX_EN_TO_AR), ar_to_en=_ranked(ar, MAX_AR_TO_EN))


# ---------------------------------------------------------------- cache


def _sources(dict_dir: Path) -> dict[str, tuple[Path, Path]]:
    found = {}
    for name in (EN_AR, AR_EN):
        idx, dz = dict_dir / f"{name}.index", dict_dir / f"{name}.dict.dz"
        if idx.is_file() and dz.is_file():
            found[name] = (idx, dz)
    return found


def _fingerprint(sources: dict[str, tuple[Path, Path]], glossary: Path | None = None) -> str:
    """sha256 over the format, the analyzer and every source file's name and sha256 (the glossary's
    too, when it exists), so that a change to any of them rebuilds the cache."""
    h = hashlib.sha256(f"{FORMAT_VERSION}/{ANALYZER_VERSION}".encode())
    for name in sorted(sources):
        for path in sources[name]:
            h.update(path.name.encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    if glossary is not None and glossary.is_file():
        h.update(b"glossary:" + glossary.name.encode())
        h.update(hashlib.sha256(glossary.read_bytes()).digest())
    return h.hexdigest()


def _licence_text(sources: dict[str, tuple[Path, Path]], glossary: Path | None = None) -> str:
    """The dictionaries' own info entries (they carry the GPL-2+ notice), under an attribution header,
    and a note on our own glossary when its entries are in the cache."""
    parts = [
        "Derived data: the lexicon cache beside this file was generated from the FreeDict\n"
        "English-Arabic and Arabic-English dictionaries (Arabeyes.org wordlist, FreeDict 0.6.3,\n"
        "Debian packages dict-freedict-eng-ara / dict-freedict-ara-eng).\n"
        "Licence: GNU General Public License, version 2 or (at your option) any later version (GPL-2+).\n"
        "Copyright (C) 1999-2017 Arabeyes.org and the FreeDict contributors.\n"
        "Sources: https://freedict.org/  http://www.arabeyes.org/project.php?proj=Wordlist\n"
        "The cache is a mechanical transformation (normalized, reordered) of those dictionaries and is\n"
        "distributed under the same licence. Full GPL text: /usr/share/common-licenses/GPL-2 on Debian,\n"
        "or https://www.gnu.org/licenses/old-licenses/gpl-2.0.html\n"
    ]
    if glossary is not None:
        parts.append(
            f"\nThe cache also holds the entries of Sanad's own news glossary ({glossary.name}, shipped in\n"
            "the sanad package as index/data/): written for Sanad, not derived from FreeDict, and licensed\n"
            "under the MIT licence like the rest of Sanad. As the cache combines both, distribute the\n"
            "cache as a whole under GPL-2+; the glossary file on its own stays MIT.\n"
        )
    for name in sorted(sources):
        for key, text in read_dictd(*sources[name]):
            if key == "00databaseinfo":
                parts.append(f"\n===== {name}: 00databaseinfo =====\n{text.strip()}\n")
                break
    return "".join(parts)


def _pack(table: Mapping[str, list[str]]) -> dict[str, str]:
    # One string per key: json parses a flat str->str object about twice as fast as lists.
    return {k: "\t".join(v) for k, v in table.items()}


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_cache(path: Path, fingerprint: str | None) -> Lexicon | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        meta = data["meta"]
        if meta.get("format") != FORMAT_VERSION or (fingerprint and meta.get("fingerprint") != fingerprint):
            return None
        return Lexicon(en_to_ar=PackedMap(data["en_to_ar"]), ar_to_en=PackedMap(data["ar_to_en"]), meta=meta)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _read_glossary_or_warn(path: Path | None) -> list[tuple[str, str]] | None:
    """The glossary's pairs, or None (with a warning) when the file is missing or malformed."""
    if path is None:
        return None
    try:
        return read_glossary(path)
    except (OSError, UnicodeDecodeError, GlossaryError) as exc:
        log.warning("News glossary not used (%s): FreeDict senses only.", exc)
        return None


def load_lexicon(
    dict_dir: Path | None = None, cache_dir: Path | None = None, glossary: Path | None = None
) -> Lexicon | None:
    """The lexicon, from `cache_dir` when its fingerprint matches the source files, else rebuilt.

    `glossary` is the news glossary merged ahead of FreeDict (default: DEFAULT_GLOSSARY, looked up
    at call time). Returns None (with one warning per process) when neither the dictionary nor a
    valid cache exists: callers then run monolingually; the glossary alone is not a lexicon. A
    cache without its source files is still used, so an index directory copied to another
    machine keeps its cross-lingual terms.
    """
    global _warned_missing
    dict_dir = dict_dir or DEFAULT_DICT_DIR
    glossary = glossary or DEFAULT_GLOSSARY
    sources = _sources(dict_dir)
    cache = cache_dir / CACHE_NAME if cache_dir else None
    if not sources:
        lex = _read_cache(cache, None) if cache and cache.is_file() else None
        if lex is None and not _warned_missing:
            _warned_missing = True
            log.warning(
                "No FreeDict dictionary in %s (install dict-freedict-eng-ara and dict-freedict-ara-eng): "
                "English questions will not be translated (monolingual retrieval only).",
                dict_dir,
            )
        return lex
    fingerprint = _fingerprint(sources, glossary)
    if cache and cache.is_file():
        lex = _read_cache(cache, fingerprint)
        if lex is not None:
            return lex
    pairs = _read_glossary_or_warn(glossary)
    try:
        lex = build_lexicon(sources.get(EN_AR), sources.get(AR_EN), pairs)
    except (OSError, EOFError, ValueError, KeyError) as exc:  # truncated or corrupt dictionary files
        log.warning(
            "Could not read the FreeDict dictionary in %s (%s): running monolingually.", dict_dir, exc
        )
        return None
    lex.meta = {"format": FORMAT_VERSION, "fingerprint": fingerprint, "sources": ",".join(sorted(sources))}
    if pairs:
        lex.meta["glossary"] = f"{glossary.name}:{len(pairs)}"
    if cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(cache.with_name(LICENCE_NAME), _licence_text(sources, glossary if pairs else None))
            payload = {"meta": lex.meta, "en_to_ar": _pack(lex.en_to_ar), "ar_to_en": _pack(lex.ar_to_en)}
            _write_atomic(cache, json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
        except OSError as exc:
            log.warning(
                "Could not write the lexicon cache in %s (%s); it will be rebuilt next time.", cache_dir, exc
            )
    return lex
