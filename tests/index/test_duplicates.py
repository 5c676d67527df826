"""Near-duplicate grouping at index time, on constructed wire copies, edits and unrelated stories."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from index.archive import ARCHIVE_FILE
from index.builder import BuildOptions, add_documents, add_in_batches
from index.documents import make_document
from index.duplicates import assign_groups, signature, similarity
from index.store import IndexStore

OPTS = BuildOptions(model="fake", dim=8, languages=["ar"], bridge="direct", passage_words=40, passage_overlap=1)

WIRE = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المنطقة الشرقية بسعة ثلاثمئة سرير. "
    "وقال المتحدث الرسمي باسم الوزارة إن المستشفى يضم أقساما للطوارئ والجراحة وطب الأطفال. "
    "وأضاف أن تكلفة المشروع بلغت مئتي مليون ريال وأن العمل فيه استمر ثلاث سنوات. "
    "وأشار إلى أن المستشفى سيخدم أكثر من نصف مليون نسمة في المحافظات المجاورة. "
    "ومن المتوقع أن يبدأ استقبال المرضى مطلع الشهر المقبل بعد اكتمال تجهيز الأقسام."
)
# The same wire story as another paper printed it: its own dateline, one sentence trimmed.
EDITED = "الدمام - واس: " + WIRE.replace("وأن العمل فيه استمر ثلاث سنوات", "")
OTHER = (
    "فاز المنتخب الوطني لكرة القدم على نظيره بثلاثة أهداف مقابل هدف في المباراة الودية. "
    "وسجل المهاجم هدفين في الشوط الأول قبل أن يضيف لاعب الوسط الهدف الثالث. "
    "وقال المدرب إن الفريق قدم أداء جيدا استعدادا للتصفيات القارية المقبلة."
)


def fake_embed(texts, progress=None):
    return np.ones((len(texts), 8), np.float32)


def test_wire_copies_are_similar_and_other_stories_are_not() -> None:
    a, b, c = signature(WIRE), signature(EDITED), signature(OTHER)
    assert similarity(a, signature(WIRE)) == 1.0
    assert similarity(a, b) >= 0.7
    assert similarity(a, c) < 0.2


def test_groups_are_transitive_and_labelled_by_the_smallest_key() -> None:
    chain = [WIRE, EDITED, "الرياض - الوطن: " + EDITED.replace("بسعة ثلاثمئة سرير", "")]
    groups = assign_groups([], [(k, signature(t)) for k, t in enumerate(chain)] + [(9, signature(OTHER))])
    assert groups == {0: 0, 1: 0, 2: 0, 9: 9}


def test_a_new_copy_merges_two_existing_groups() -> None:
    first, third = signature(WIRE), signature(EDITED)
    groups = assign_groups([(3, 3, first), (7, 7, signature(OTHER))], [(8, third)])
    assert groups == {8: 3}
    # Existing groups 4 and 5 were told apart; a new article close to both joins them under 4.
    merged = assign_groups([(4, 4, first), (5, 5, third)], [(6, signature(WIRE + " "))])
    assert merged == {6: 4, 5: 4}


def test_empty_text_groups_with_nothing() -> None:
    empty = signature("... !!! ؟؟")
    assert assign_groups([(1, 1, empty)], [(2, empty)]) == {2: 2}


def test_groups_are_stored_and_grow_across_committed_groups(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "idx")
    docs = [
        make_document("spa.json#1", WIRE, source="spa", date="2015-07-20"),
        make_document("sport.json#1", OTHER, source="arriyadiyah", date="2015-07-20"),
        make_document("okaz.json#1", EDITED, source="okaz", date="2015-07-21"),
    ]
    add_in_batches(None, docs, OPTS, fake_embed, store.save, every=1)  # three saves: grouped across them
    loaded = store.load()
    group = {d.doc_id: d.group for d in loaded.documents}
    assert group["spa.json#1"] == group["okaz.json#1"] != group["sport.json#1"]
    conn = sqlite3.connect(store.root / store.current() / ARCHIVE_FILE)
    rows = dict(conn.execute("SELECT doc_id, dup_group FROM documents").fetchall())
    assert rows == group
    (signatures,) = conn.execute("SELECT count(*) FROM signatures").fetchone()
    assert signatures == 3
    conn.close()


def test_replacing_a_copy_with_another_story_takes_it_out_of_the_group(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "idx")
    data, _ = add_documents(
        None, [make_document("a.txt", WIRE), make_document("b.txt", EDITED)], OPTS, fake_embed
    )
    store.save(data)
    loaded = store.load()
    assert loaded.record("a.txt").group == loaded.record("b.txt").group
    data, _ = add_documents(loaded, [make_document("b.txt", OTHER)], OPTS, fake_embed)
    store.save(data)
    loaded = store.load()
    assert loaded.record("a.txt").group != loaded.record("b.txt").group
