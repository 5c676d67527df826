"""ONNX Runtime over the reader graph: windows in, start/end logits out, batched by length."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from assistant.reader.windows import PAD, Window

MAX_BATCH = 8


class ReaderSession:
    def __init__(self, graph: Path, threads: int | None = None):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads or max(1, min(os.cpu_count() or 1, 4))
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")  # the web server shares these cores
        self._session = ort.InferenceSession(str(graph), so, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()  # one question's batches at a time: the cores are the limit anyway

    def logits(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            s, e = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.asarray(s, np.float32), np.asarray(e, np.float32)

    def run(self, windows: list[Window]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(start logits, end logits) per window, in the given order; similar lengths share a batch."""
        out: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(windows)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].ids))
        for k in range(0, len(order), MAX_BATCH):
            rows = order[k : k + MAX_BATCH]
            width = max(len(windows[i].ids) for i in rows)
            ids = np.full((len(rows), width), PAD, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for j, i in enumerate(rows):
                n = len(windows[i].ids)
                ids[j, :n] = windows[i].ids
                mask[j, :n] = 1
            s, e = self.logits(ids, mask)
            for j, i in enumerate(rows):
                n = len(windows[i].ids)
                out[i] = (s[j, :n], e[j, :n])
        return out  # type: ignore[return-value]
