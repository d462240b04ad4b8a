# syntax=docker/dockerfile:1
# Same install steps as the README: `make setup` builds the venv and assembles the model.
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake make git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt Makefile README.md ./
COPY rag/ rag/
COPY api/ api/
COPY index/ index/
COPY eval/ eval/
ENV RAG_MODEL_CACHE=/app/model-cache
# Builds .venv and assembles the model, exactly as `make run` does on a workstation.
RUN make setup

FROM python:3.11-slim
# llama.cpp is built with OpenMP
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 rag
WORKDIR /app
COPY --from=build --chown=rag:rag /app /app
COPY --chown=rag:rag data/articles/ data/articles/
USER rag
ENV RAG_MODEL_CACHE=/app/model-cache \
    RAG_INDEX_DIR=/data/index \
    PATH=/app/.venv/bin:$PATH
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
CMD ["sh", "-c", "python -m index build && python -m api --host 0.0.0.0 --port 8000"]
