"""Dictation: the controller, the mic, the model thread, live text and delivery."""
