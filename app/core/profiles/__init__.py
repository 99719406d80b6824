"""Per-app profiles: what a dictation does differently in the application it is for."""
