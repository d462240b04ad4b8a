"""The FastAPI application: `create_app(services=None)`; tests inject services built around fakes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import BodyLimit
from api.observability import Metrics, RequestContext
from api.openai_compat import router as openai_router
from api.pages import install_pages
from api.routes import router
from api.security import install_cors
from rag.services import Services, load_services
from rag.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """Ask questions about news articles and get answers that cite the passages they rest on.
Everything runs locally: Chroma for the vectors, sentence-transformers for embeddings, llama.cpp for the answer.
A chat page is served at `/`; `/v1/chat/completions` and `/v1/models` serve OpenAI clients, with the citations
in extension fields. Errors always have the shape `{"detail": "...", "code": "..."}`."""


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    """The app; models and index load once, in the lifespan, unless `services` are given."""
    config = settings or (services.settings if services else Settings.from_env())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is None:
            app.state.services = load_services(config)
            log.info("ready: %d chunks indexed", app.state.services.store.count())
        else:
            app.state.services = services
        yield

    app = FastAPI(title="News RAG", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = config
    app.state.metrics = Metrics()
    install_error_handlers(app)
    install_cors(app, config)
    app.add_middleware(BodyLimit, max_bytes=config.max_upload_bytes)
    app.add_middleware(RequestContext, metrics=app.state.metrics)  # outermost: it sees every response
    app.include_router(router)
    app.include_router(openai_router)
    install_pages(app)
    return app
