"""History: the panel and recovering unfinished dictations."""
