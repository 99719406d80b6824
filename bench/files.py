"""Files benchmark: ``python bench/files.py`` equals ``saytype bench files``."""

import sys

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", "files", *sys.argv[1:]]))
