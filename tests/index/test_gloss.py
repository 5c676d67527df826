"""Word-by-word English gloss of Arabic text through a small hand-made lexicon."""

from __future__ import annotations

from index.gloss import gloss_arabic, gloss_word, romanize
from index.lexicon import Lexicon
from index.normalize import normalize


def lexicon() -> Lexicon:
    ar_to_en = {
        "مبعوث": ["envoy", "emissary"],
        "روسي": ["russian"],
        "مفاوضات": ["negotiations"],
        "مفاوض": ["negotiator"],  # the stem key: reached only when no better form is known
        "قال": ["said"],
        "وقف اطلاق النار": ["ceasefire"],
        "وقف": ["stop"],
        "جيش": ["army"],
        "كتاب": ["book"],
    }
    return Lexicon(en_to_ar={}, ar_to_en={normalize(k): v for k, v in ar_to_en.items()})


def test_clitics_are_peeled_and_first_sense_used() -> None:
    gloss = gloss_arabic("وقال المبعوثُ الروسيّ للمفاوضات", lexicon())
    assert gloss.split() == ["said", "envoy", "russian", "negotiations"]


def test_pronoun_suffix_and_stem_fallback() -> None:
    lex = lexicon()
    assert gloss_word(normalize("جيشها"), lex) == "army"  # enclitic ها
    assert gloss_word(normalize("وبكتابهم"), lex) == "book"  # proclitics و+ب and enclitic هم
    assert gloss_word(normalize("المفاوضين"), lex) == "negotiator"  # light10 stem
    assert gloss_word(normalize("سيارة"), lex) is None


def test_phrases_win_over_words() -> None:
    assert gloss_arabic("وقف إطلاق النار", lexicon()) == "ceasefire"
    assert gloss_arabic("وقف", lexicon()) == "stop"


def test_latin_digits_kept_stopwords_dropped_names_romanized() -> None:
    gloss = gloss_arabic("قال المبعوث في بيان NATO إن 12 جنديا وصلوا إلى كييف", lexicon()).split()
    assert gloss[:2] == ["said", "envoy"]
    assert "nato" in gloss and "12" in gloss
    assert "kiif" in gloss  # unknown word: a readable Latin spelling, not dropped
    assert not any("\u0600" <= c <= "\u06ff" for c in " ".join(gloss))
    assert len(gloss) == 8  # في, إن, إلى are stop words


def test_romanize() -> None:
    assert romanize(normalize("بوتين")) == "butin"
    assert romanize(normalize("الدوحة")) == "duha"  # ال dropped, final ة read as a
    assert romanize(normalize("وارسو")) == "warsu"  # initial و is a consonant


def test_empty_and_non_arabic_text() -> None:
    assert gloss_arabic("", lexicon()) == ""
    assert gloss_arabic("Talks resumed in 2024.", lexicon()) == "talks resumed in 2024"
