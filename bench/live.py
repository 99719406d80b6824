"""Live dictation benchmark: ``python bench/live.py`` equals ``saytype bench live``."""

import sys

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", "live", *sys.argv[1:]]))
