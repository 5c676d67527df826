"""Join overlapping passages of one article that both rank high into a single hit.

Passages are fixed windows (index.passages), so a paragraph or a news story longer than one
window is cut in two, sharing a sentence. A question often matches both halves, and the half
that wins need not hold the answer: the answerer would then never see it. When both halves rank
near the top they are returned as one hit, in the place of the better one, which also frees a
rank for another article. A hit joins one neighbour at most, so it stays a passage's size, not
an article's. `text == document[start:end]` still holds: the joined text is built from the two
slices and their overlap.
"""

from __future__ import annotations

import dataclasses

from assistant.answer import Hit

MERGE_DEPTH = 5  # only hits this close to the top are joined


def _join(a: Hit, b: Hit) -> Hit | None:
    """`a` and `b` as one hit (a's rank, the better score), or None when they don't touch."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    if a.doc_id != b.doc_id or second.start > first.end:
        return None
    if second.end <= first.end:  # one inside the other
        text, end = first.text, first.end
    else:
        text, end = first.text + second.text[first.end - second.start :], second.end
    return dataclasses.replace(a, start=first.start, end=end, text=text, score=max(a.score, b.score))


def join_neighbours(hits: list[Hit], depth: int = MERGE_DEPTH) -> list[Hit]:
    """Hits in rank order, each top-`depth` hit joined with any lower top-`depth` hit it overlaps."""
    out: list[Hit] = []
    joined: set[int] = set()  # places in `out` that already hold two passages
    for i, hit in enumerate(hits):
        for j in range(min(len(out), depth) if i < depth else 0):
            if j not in joined and (both := _join(out[j], hit)) is not None:
                out[j] = both
                joined.add(j)
                break
        else:
            out.append(hit)
    return out
