"""The HTTP API: `python -m api [--host H] [--port P]`; interactive docs at /docs."""
