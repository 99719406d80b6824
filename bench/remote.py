"""Remote engine benchmark: file throughput at 1, 2, 4, 8 in flight, and release → final.

Run from a source checkout with the test extra:
``python bench/remote.py --url http://HOST:PORT/v1|wyoming://HOST:PORT [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("remote"))
