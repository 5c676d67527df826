"""What an Arabic question searches for: its topic words as stems and as character n-grams.

Two things keep a question's wording from outweighing its topic:

- Interrogative-frame words (كم عدد / ما اسم / في أي عام: the words `answer_type` marks as only
  saying what is asked) name the kind of answer, not the subject; any paragraph of the article may
  use them, so they are left out of the search.
- Each word's n-grams share one weight that grows with the square root of their number, not
  linearly: otherwise a long word (a name with the article and a clitic: وبالمستوطنين gives 10
  grams) counts ten times what a number (49 gives one gram) or a short word does, and two questions
  that differ by a number ("Super Bowl 49" / "50") find the same paragraph.

A light stemmer leaves a verb's inflections apart (نشر / نشرت / ينشر), and a noun in ة apart from
its form before a pronoun (صعوبة / صعوبتها): a question asks in one form, the article tells in
another. `add_inflections` adds the other forms that the index holds, at a lower weight, so they
help a paragraph that uses them without outweighing the asked form.
"""

from __future__ import annotations

from collections.abc import Container

from assistant.answer_type import detect_type
from index.stem import stem
from index.stopwords import is_stopword
from index.tokens import Token, tokenize, word_grams

# A word's n-grams weigh len(grams) ** GRAM_POWER together (1 would make every word count alike,
# 0 is the plain sum): chosen on the first half of XQuAD dev plus ARCD.
GRAM_POWER = 0.5
# Weight of an inflected form against the question's own (chosen on XQuAD dev H1 plus ARCD).
INFLECTION_WEIGHT = 0.5


def topic_tokens(question: str) -> list[Token]:
    """The question's content words without its interrogative frame (all of them if nothing else is left)."""
    toks = tokenize(question)
    content = [i for i, t in enumerate(toks) if not is_stopword(t.norm)]
    frame = detect_type(question, "ar").wh_tokens
    kept = [i for i in content if i not in frame] or content
    return [toks[i] for i in kept]


def arabic_terms(question: str) -> tuple[dict[str, float], dict[str, float]]:
    """(stem weights, n-gram weights) for the lexical and grams channels."""
    terms: dict[str, float] = {}
    grams: dict[str, float] = {}
    for tok in topic_tokens(question):
        term = stem(tok.norm)
        if term:
            terms[term] = terms.get(term, 0.0) + 1.0
        word = word_grams(tok.norm)
        share = 1.0 / len(word) ** (1.0 - GRAM_POWER)
        for g in word:
            grams[g] = grams.get(g, 0.0) + share
    return terms, grams


def inflected_forms(term: str) -> set[str]:
    """Stems of `term`'s other forms: past feminine (نشر -> نشرت), imperfect (ينشر, تنشر), and for
    a word ending in ت the form without it (نشرت -> نشر). The ت forms also join a noun in ة to its
    form before a pronoun or dual ending, which the stemmer keeps apart (صعوبة -> صعوبتها), and an
    adjective in ية likewise (الرئيسيتان -> الرئيسية)."""
    out = {term + "ت", "ي" + term, "ت" + term}
    if term.endswith("ت") and len(term) >= 4:
        out.add(term[:-1])
    if term.endswith("يت") and len(term) >= 5:  # nisba ية before a dual or pronoun ending
        out.add(term[:-2])
    out.discard(term)
    return out


def add_inflections(terms: dict[str, float], vocab: Container[str]) -> dict[str, float]:
    """`terms` plus the inflected forms found in `vocab`, each at INFLECTION_WEIGHT of its source;
    a form the question itself uses keeps its own weight."""
    out = dict(terms)
    for term, weight in terms.items():
        for form in sorted(inflected_forms(term)):
            if form in vocab and form not in terms:
                out[form] = max(out.get(form, 0.0), INFLECTION_WEIGHT * weight)
    return out
