"""Soak benchmark: ``python bench/soak.py`` equals ``saytype bench soak`` (e.g. ``--n 1000``)."""

import sys

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", "soak", *sys.argv[1:]]))
