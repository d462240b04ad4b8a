"""Access control: the optional API key (RAG_API_KEY) and CORS (RAG_CORS_ORIGINS, closed by default)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

from rag.errors import Unauthorized
from rag.settings import Settings


def presented_key(request: Request) -> str:
    """The key a client sent: `X-API-Key: KEY` or `Authorization: Bearer KEY` ('' when neither)."""
    if key := request.headers.get("x-api-key"):
        return key
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def check_key(settings: Settings, request: Request) -> None:
    if not settings.api_key:
        return
    # Constant-time: how long a wrong key takes to refuse says nothing about how close it was.
    if not hmac.compare_digest(presented_key(request).encode(), settings.api_key.encode()):
        raise Unauthorized("this endpoint needs the API key (RAG_API_KEY): send it as X-API-Key or "
                           "Authorization: Bearer")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_write(request: Request) -> None:
    """Writes (adding and deleting articles) need the key whenever RAG_API_KEY is set."""
    check_key(_settings(request), request)


def require_read(request: Request) -> None:
    """Reads (answers, search, documents) need it too when RAG_API_KEY_READS=1."""
    settings = _settings(request)
    if settings.api_key_reads:
        check_key(settings, request)


WriteAccess = Annotated[None, Depends(require_write)]
ReadAccess = Annotated[None, Depends(require_read)]


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Allow the listed origins only; with none listed no CORS header is ever sent (browsers refuse)."""
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["content-type", "x-api-key", "authorization", "x-request-id"],
                           expose_headers=["x-request-id", "retry-after"])
