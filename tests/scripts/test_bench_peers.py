"""scripts/bench_peers.py runs in the peers' own venv; here only its stdlib parts are checked."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from eval.bench_report import percentiles

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_peers.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_peers", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_peers_script_computes_percentiles_the_same_way() -> None:
    values = [3.0, 1.0, 8.5, 2.25, 40.0, 0.5, 9.0]
    assert _load().percentiles(values) == percentiles(values)


def test_the_peers_script_imports_no_peer_package_until_asked(tmp_path: Path) -> None:
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"system": "nope", "passages": "x"}), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "build", str(job), str(tmp_path / "r.json")], capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0 and "unknown peer" in proc.stderr
    assert not (tmp_path / "r.json").exists()
    bad = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "Usage" in bad.stderr


def test_peer_code_stays_out_of_the_package() -> None:
    root = SCRIPT.parents[1]
    for pkg in ("assistant", "index", "ui", "eval"):
        for path in (root / pkg).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for needle in ("langchain_community", "import txtai", "from txtai", "allow_dangerous_deserialization"):
                assert needle not in text, f"{path} mentions {needle}"
