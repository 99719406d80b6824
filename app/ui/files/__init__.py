"""Files: the transcription queue, its thread, and the results."""
