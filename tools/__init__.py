"""Maintenance tools that are no part of the service: `python -m tools.docs` writes the generated docs."""
