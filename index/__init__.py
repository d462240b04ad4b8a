"""Build the vector index from article files: `python -m index build [PATHS...]`."""
