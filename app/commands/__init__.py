"""Command-line subcommands, one module each, and the pieces several of them share."""
