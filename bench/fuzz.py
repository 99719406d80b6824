"""Fuzz benchmark: ``python bench/fuzz.py`` equals ``saytype bench fuzz``."""

import sys

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", "fuzz", *sys.argv[1:]]))
