"""The hashed name table: the same answers as the dict it replaces, merges, and a pickle-free round trip."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.name_table import NameTable, key_hash


def random_table(seed: int, n: int = 300) -> dict[str, list[str]]:
    rng = random.Random(seed)
    letters = "bdfghjklmnrst"
    terms = ["لافروف", "موسكو", "ماكرون", "رياض", "كييف", "واشنطن", "بايدن"]
    return {
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 9))): sorted(rng.sample(terms, rng.randint(1, 3)))
        for _ in range(n)
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_lookups_equal_the_dict(seed: int) -> None:
    d = random_table(seed)
    t = NameTable.from_dict(d)
    assert len(t) == len(d)
    for k, v in d.items():
        assert k in t and t[k] == v and t.get(k) == v
    for missing in ("zzzz", "", "lfrfx"):
        if missing not in d:
            assert missing not in t and t.get(missing) is None
            with pytest.raises(KeyError):
                t[missing]
    assert 42 not in t  # not a string: not a key


def test_merge_is_the_union_of_both() -> None:
    a, b = random_table(2, 200), random_table(3, 200)
    b["lfrf"] = ["لافروف"]
    a["lfrf"] = ["لافاروف"]
    merged = NameTable.from_dict(a).merge(NameTable.from_dict(b))
    union = {k: sorted(set(a.get(k, [])) | set(b.get(k, []))) for k in a.keys() | b.keys()}
    assert len(merged) == len(union)
    assert all(merged[k] == v for k, v in union.items())
    assert merged["lfrf"] == ["لافاروف", "لافروف"]
    assert merged == NameTable.from_dict(union)
    empty = NameTable.empty()
    assert empty.merge(merged) is merged and merged.merge(empty) is merged


def test_round_trip_without_pickle(tmp_path: Path) -> None:
    t = NameTable.from_dict(random_table(4))
    files = t.save(tmp_path)
    assert {p.name for p in files} == {"names.npz", "names.terms.json"}
    with np.load(tmp_path / "names.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)
    assert NameTable.load(tmp_path) == t


def test_hash_is_stable_across_processes() -> None:
    # A per-process salted hash (Python's own hash()) would break every saved index.
    out = subprocess.run(
        [sys.executable, "-c", "from index.name_table import key_hash; print(key_hash('lfrf'))"],
        capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""},
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert int(out.stdout) == key_hash("lfrf")


def test_damaged_tables_are_refused(tmp_path: Path) -> None:
    t = NameTable.from_dict(random_table(5, 20))
    with pytest.raises(ValueError, match="offsets"):
        NameTable(t.hashes, t.indptr[:-1], t.term_ids, t.terms)
    with pytest.raises(ValueError, match="sorted"):
        NameTable(t.hashes[::-1].copy(), t.indptr, t.term_ids, t.terms)
    with pytest.raises(ValueError, match="outside"):
        NameTable(t.hashes, t.indptr, t.term_ids, t.terms[:1])
    t.save(tmp_path)
    (tmp_path / "names.terms.json").write_text(json.dumps({"not": "a list"}), encoding="utf-8")
    with pytest.raises(ValueError, match="list of strings"):
        NameTable.load(tmp_path)
