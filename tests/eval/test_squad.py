from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.squad import SquadFileError, add_parallel, load_squad, other_files, slug, write_corpus


def _squad(path: Path, articles: list[dict]) -> Path:
    path.write_text(json.dumps({"version": "1.1", "data": articles}, ensure_ascii=False), encoding="utf-8")
    return path


AR = [
    {
        "title": "Fresno,_California",
        "paragraphs": [
            {
                "context": " تقع فريسنو في وادي سان خواكين. يبلغ عدد سكانها 520 ألف نسمة.",
                "qas": [
                    {"id": "q1", "question": "أين تقع فريسنو؟", "answers": [{"answer_start": 13, "text": "وادي سان خواكين"}]},
                    {"id": "q2", "question": "كم عدد سكان فريسنو؟", "answers": [{"answer_start": 50, "text": "520 ألف"}]},
                ],
            },
            {
                "context": "المدينة مركز زراعي.",
                "qas": [{"id": "q3", "question": "ما اقتصاد المدينة؟", "answers": [{"text": "زراعي"}, {"text": "زراعي"}]},
                        {"id": "q4", "question": "من أسسها؟", "answers": [], "is_impossible": True},
                        {"id": "bad", "question": "", "answers": [{"text": "x"}]}],
            },
        ],
    },
    {"title": "Fresno California", "paragraphs": [{"context": "نص آخر.", "qas": []}]},
]  # fmt: skip
EN = [
    {
        "title": "Fresno,_California",
        "paragraphs": [
            {"context": "Fresno lies in the San Joaquin Valley.",
             "qas": [{"id": "q1", "question": "Where is Fresno?", "answers": [{"text": "San Joaquin Valley"}]},
                     {"id": "zzz", "question": "Not in the main file?", "answers": [{"text": "x"}]}]},
            {"context": "...", "qas": [{"id": "q4", "question": "Who founded it?", "answers": []}]},
        ],
    }
]  # fmt: skip


def test_paragraphs_become_documents_and_questions_records(tmp_path: Path) -> None:
    squad = load_squad(_squad(tmp_path / "ar.json", AR))
    assert [p.doc_id for p in squad.paragraphs] == [
        "fresno-california/001.txt",
        "fresno-california/002.txt",
        "fresno-california-2/001.txt",  # a second article with the same slug gets its own folder
    ]
    assert squad.paragraphs[0].text.startswith("تقع")  # context stripped
    by_id = {q.id: q for q in squad.questions}
    assert set(by_id) == {"q1/ar", "q2/ar", "q3/ar", "q4/ar"}
    q1 = by_id["q1/ar"]
    assert (q1.lang, q1.answers, q1.evidence, q1.doc_id) == ("ar", ("وادي سان خواكين",), "وادي سان خواكين",
                                                              "fresno-california/001.txt")  # fmt: skip
    assert by_id["q3/ar"].answers == ("زراعي",)  # duplicates dropped
    assert by_id["q4/ar"].answerable is False and by_id["q4/ar"].answers == ()
    assert len(squad.problems) == 1 and "no id or text" in squad.problems[0].message


def test_parallel_questions_matched_by_id_and_unknown_ids_reported(tmp_path: Path) -> None:
    squad = load_squad(_squad(tmp_path / "ar.json", AR))
    add_parallel(squad, _squad(tmp_path / "en.json", EN))
    by_id = {q.id: q for q in squad.questions}
    en = by_id["q1/en"]
    # English question, Arabic answers and evidence (the indexed paragraph is the Arabic one).
    assert (en.lang, en.question, en.answers, en.doc_id) == ("en", "Where is Fresno?", ("وادي سان خواكين",),
                                                             "fresno-california/001.txt")  # fmt: skip
    assert by_id["q4/en"].answerable is False
    unknown = [p for p in squad.problems if "unknown question id 'zzz'" in p.message]
    assert len(unknown) == 1 and unknown[0].source.endswith("en.json")
    assert "zzz/en" not in by_id


def test_same_language_parallel_file_does_not_clobber_ids(tmp_path: Path) -> None:
    squad = load_squad(_squad(tmp_path / "ar.json", AR))
    before = len(squad.questions)
    add_parallel(squad, tmp_path / "ar.json")
    assert len(squad.questions) == before
    assert sum("already used" in p.message for p in squad.problems) == before


def test_write_corpus_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    squad = load_squad(_squad(tmp_path / "ar.json", AR))
    corpus = tmp_path / "corpus"
    assert write_corpus(squad.paragraphs, corpus) == 3
    assert (corpus / "fresno-california" / "002.txt").read_text(encoding="utf-8") == "المدينة مركز زراعي.\n"
    assert write_corpus(squad.paragraphs, corpus) == 0


def test_not_a_squad_file(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(SquadFileError, match="no top-level 'data'"):
        load_squad(tmp_path / "x.json")
    (tmp_path / "y.json").write_text("{", encoding="utf-8")
    with pytest.raises(SquadFileError, match="not valid JSON"):
        load_squad(tmp_path / "y.json")


def test_slug() -> None:
    assert slug("Fresno,_California") == "fresno-california"
    assert slug("Sky_(United_Kingdom)") == "sky-united-kingdom"
    assert slug("  ") == "article"


def test_prune_and_other_files(tmp_path: Path) -> None:
    squad = load_squad(_squad(tmp_path / "ar.json", AR))
    corpus = tmp_path / "corpus"
    (corpus / "old").mkdir(parents=True)
    (corpus / "old" / "001.txt").write_text("stale", encoding="utf-8")
    write_corpus(squad.paragraphs, corpus)
    assert other_files(squad.paragraphs, corpus) == ["old/001.txt"]
    write_corpus(squad.paragraphs, corpus, prune=True)
    assert other_files(squad.paragraphs, corpus) == []
    assert (corpus / "fresno-california" / "001.txt").is_file()
