"""One module per question; each exposes ``section(ds) -> Section``."""
