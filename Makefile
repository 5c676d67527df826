# Everything a fresh machine needs, from two commands: `make run` and `make test`.
# Idempotent: a second run only re-checks what is installed.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.PHONY: install system-deps run test test-fast lint eval bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first, pinned, so this machine's local CPU build is taken and nothing pulls CUDA wheels.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test,llm,ray]'
	$(PY) -m index.embed_onnx
	$(PY) -m index.e5_convert
	$(PY) -m assistant.reader.export
	touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

install: system-deps $(STAMP)

run: install
	$(VENV)/bin/sanad chat

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -m "" -q

test-fast: install
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check .

eval: install
	$(VENV)/bin/sanad eval --corpus assistant/data/sample --questions eval/data/sample.jsonl \
	  --report reports/sample.json --markdown reports/sample.md --plot reports/sample.png
	$(VENV)/bin/sanad eval --squad ../shared/data/xquad-dev/xquad.ar.json \
	  --squad-questions ../shared/data/xquad-dev/xquad.en.json \
	  --report reports/xquad.json --markdown reports/xquad.md --plot reports/xquad.png

# The peers (LangChain, txtai) get their own venv; they are never Sanad's dependencies.
bench: install
	bash scripts/bench-venv.sh
	$(VENV)/bin/sanad bench

clean:
	rm -rf $(VENV) build *.egg-info artifacts
