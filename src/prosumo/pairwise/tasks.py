"""Background work for pairwise campaigns: none yet; scores are computed when read (a few hundred rows per idea)."""
