"""Background tasks of the commerce app: none yet. Every import writes in its own request or command,
in one transaction, so that a refused batch changes nothing (docs/commerce.md)."""
