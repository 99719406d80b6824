"""Accuracy benchmark: ``python bench/accuracy.py`` equals ``saytype bench accuracy``."""

import sys

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", "accuracy", *sys.argv[1:]]))
