"""Background work for participatory budgets: none; results are computed when read from the ballots."""
