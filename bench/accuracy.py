"""Accuracy benchmark: WER and speed of ``saytype transcribe`` against faster-whisper.

Run from a source checkout with the test extra: ``python bench/accuracy.py [options] [--json]``.
"""

from saytype_bench.command import main

if __name__ == "__main__":
    raise SystemExit(main("accuracy"))
