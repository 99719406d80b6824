"""Text shaping: spoken commands, replacements, fillers, numbers and formatting (no Qt)."""
