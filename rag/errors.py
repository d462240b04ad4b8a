"""One error hierarchy. Messages are written for the person who sees them, and shown as-is.

RagError
 ├── BadRequest          the caller asked for something malformed (HTTP 422)
 ├── BadArticle          an article could not be read or parsed (HTTP 422)
 ├── DocumentNotFound    no indexed article has that id (HTTP 404)
 ├── ModelNotFound       a request names a model this server does not serve (HTTP 404)
 ├── ModelUnavailable    a model file is missing, corrupt or cannot load (HTTP 503)
 ├── StoreUnavailable    the vector store cannot be reached (HTTP 503)
 ├── Busy                the model's queue is full; carries `retry_after` seconds (HTTP 503 + Retry-After)
 ├── Unauthorized        a missing or wrong API key (HTTP 401)
 └── IndexMismatch       the index was built with another embedder (HTTP 409)
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error this project raises on purpose."""

    code = "rag_error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(RagError):
    code = "bad_request"
    status = 422


class BadArticle(RagError):
    code = "bad_article"
    status = 422


class DocumentNotFound(RagError):
    code = "document_not_found"
    status = 404


class ModelNotFound(RagError):
    code = "model_not_found"  # OpenAI's code for it
    status = 404


class ModelUnavailable(RagError):
    code = "model_unavailable"
    status = 503


class StoreUnavailable(RagError):
    code = "store_unavailable"
    status = 503


class Busy(RagError):
    code = "busy"
    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(RagError):
    code = "unauthorized"
    status = 401


class IndexMismatch(RagError):
    code = "index_mismatch"
    status = 409
