"""Fuzz benchmark: damaged media files through the decoder and ``saytype transcribe``.

Run from a source checkout with the test extra: ``python bench/fuzz.py [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("fuzz"))
