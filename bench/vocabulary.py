"""Vocabulary benchmark: WER and exact spellings with and without a custom vocabulary.

Run from a source checkout with the test extra: ``python bench/vocabulary.py [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("vocabulary"))
