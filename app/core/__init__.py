"""Qt-free core: audio, engine and output. Nothing here may import PySide6 (a test checks)."""
