"""Files benchmark: long-file memory, batched against sequential speed, dictation while busy.

Run from a source checkout with the test extra: ``python bench/files.py [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("files"))
