"""PySide6 user interface: windows, tray, hotkey bridge and the inference worker."""
