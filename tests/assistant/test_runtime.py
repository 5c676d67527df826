"""The serving process's garbage-collector thresholds."""

from __future__ import annotations

import gc

from assistant.runtime import GC_THRESHOLDS, tune_gc_for_serving


def test_serving_raises_the_collector_thresholds_and_keeps_it_on() -> None:
    before = gc.get_threshold()
    try:
        tune_gc_for_serving()
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
        assert gc.isenabled()
    finally:
        gc.set_threshold(*before)
