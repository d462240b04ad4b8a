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
ENV RAG_MODEL_CACHE=/models
# Builds .venv and assembles the model into /models, exactly as `make run` does on a workstation.
RUN make setup

FROM python:3.11-slim
# llama.cpp is built with OpenMP. The service runs as uid 1000, never root.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 rag \
    && mkdir -p /data /models /chroma \
    && chown 1000:1000 /data /models /chroma
WORKDIR /app
COPY --from=build --chown=1000:1000 /app /app
COPY --from=build --chown=1000:1000 /models /models
COPY --chown=1000:1000 data/articles/ data/articles/
USER 1000:1000
ENV RAG_MODEL_CACHE=/models \
    RAG_INDEX_DIR=/data/index \
    PATH=/app/.venv/bin:$PATH
# The index (and, with the compose file, Chroma's data) and the model live on volumes; a new named
# volume on /models is filled from the image on first use.
VOLUME ["/data", "/models"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["sh", "-c", "python -m index build && exec python -m api --host 0.0.0.0 --port 8000"]
