"""Output: exporters for transcripts (txt, srt, vtt, json)."""
