"""Speech-to-text engine: model registry, shared model host, transcribers."""
