"""Serve the API with uvicorn."""

from __future__ import annotations

import argparse
import logging

import uvicorn

from api.main import create_app
from api.observability import configure_logging


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description="Serve the news question-answering API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    configure_logging(logging.INFO)
    # uvicorn keeps our logging (log_config=None); its access log would repeat our request lines.
    uvicorn.run(create_app(), host=args.host, port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
