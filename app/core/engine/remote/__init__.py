"""Remote engines: audio goes to a server the user named (never by default)."""
