"""Developer benchmarks of Saytype, run from a source checkout as ``python bench/NAME.py``.

They need the test extra (jiwer, whisper-normalizer, hibari-tts) and, for real
speech, the shared corpus, so they are not part of the shipped package; the
ones a user can run with the runtime dependencies alone stay in ``saytype bench``
(:mod:`app.commands.bench`). This package imports ``app``, never the reverse.
"""
