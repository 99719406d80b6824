"""Settings: the dialog, its editors, the store, and applying changes."""
