"""A local Ray for the cluster tests, started once: 2 CPUs, every server on 127.0.0.1, no dashboard.

Sanad's own `Connection` finds it running and uses it (and leaves it up); it is shut down when the
session ends. Its workers import this checkout (`runtime.local_runtime_env`).
"""

from __future__ import annotations

import json
import logging
import os
import random
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ray_local():
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    from assistant.cluster.runtime import LOOPBACK, local_runtime_env

    if not ray.is_initialized():
        ray.init(num_cpus=2, _node_ip_address=LOOPBACK, include_dashboard=False, logging_level=logging.ERROR,
                 log_to_driver=False, runtime_env=local_runtime_env())  # fmt: skip
    yield ray
    ray.shutdown()


TOPICS = ["river", "city", "peace", "war", "news", "talks"]
ARABIC = ["مدينة", "نهر", "سلام", "حرب", "محادثات", "أخبار", "وزير", "جسر", "مطار", "ميناء"]
SOURCES = ["okaz", "riyadh", "sabq"]


def write_articles(folder: Path, n: int = 30, seed: int = 7) -> Path:
    """`n` short news records (English and Arabic sentences, dates, outlets) in one JSON-lines file,
    plus two exact copies under other ids, so duplicate groups span shards, and one Markdown brief."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for i in range(n):
        sentences = []
        for j in range(rng.randint(3, 45)):
            if rng.random() < 0.5:
                sentences.append(f"The {rng.choice(TOPICS)} {rng.choice(TOPICS)} report {i} {j} said {rng.randint(1, 900)} people came.")
            else:
                sentences.append(" ".join(rng.choice(ARABIC) for _ in range(rng.randint(4, 12))) + f" {rng.randint(1, 90)}.")
        records.append({"id": f"a{i:03d}", "title": f"{rng.choice(TOPICS)} {i}", "content": " ".join(sentences),
                        "date": f"2015-0{1 + i % 9}-{10 + i % 18}", "source": rng.choice(SOURCES)})  # fmt: skip
    records += [{**records[3], "id": "copy-of-a003"}, {**records[n - 2], "id": "copy-of-late"}]
    # A second file, read first: the shards must keep file order whichever read finishes first.
    (folder / "brief.md").write_text("# River brief\n\nThe river talks news came first. " * 3 + "\n", encoding="utf-8")
    (folder / "news.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return folder


QUESTIONS = [
    "How many people came to the river report?",
    "What did the city talks report say?",
    "peace war news",
    "كم عدد الناس في المدينة؟",
    "ماذا قال الوزير عن الجسر والمطار؟",
    "أخبار السلام والحرب",
    "report 12",
    "Who came to the harbour?",
]
