"""Soak benchmark: one long dictation (``--minutes``) or many short ones (``--n 1000``).

Run from a source checkout with the test extra: ``python bench/soak.py [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("soak"))
