"""Helpers that make real test media: speech from hibari-tts, encodings through PyAV."""
