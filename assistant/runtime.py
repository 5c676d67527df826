"""Settings of a process that answers many questions: the web chat, `sanad eval`, the bench.

Answering keeps caches of small objects that grow to hundreds of thousands (sentence views, the
root and name keys of every word seen). With CPython's default thresholds a full collection then
runs every few dozen questions and walks all of them: a 200-400 ms pause on one question in fifty
(news10k, 600 questions: p99 238 ms, 12 full collections). A higher first threshold makes young
collections rarer and full ones rarer still (p99 57 ms, none in that run); cyclic garbage is
still collected. Library code never calls this, only the long-running entry points.
"""

from __future__ import annotations

import gc

GC_THRESHOLDS = (10_000, 20, 20)


def tune_gc_for_serving() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
