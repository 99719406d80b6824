"""Live dictation benchmark: each recording dictated once, against beam 5 after release.

Run from a source checkout with the test extra: ``python bench/live.py [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("live"))
