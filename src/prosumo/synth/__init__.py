"""Deterministic synthetic co-creation communities, for the demo and for the benchmarks.

One generator serves both: :func:`generate` returns a small, complete community (the
contract tables plus the platform detail a loader needs) and :func:`generate_to_parquet`
writes a community of millions of events straight to Parquet. Every random draw comes
from ``numpy.random.SeedSequence(seed)``, so the same seed gives the same community.
It imports no Django.
"""

from prosumo.synth.io import Community, generate, generate_to_parquet, write

__all__ = ["Community", "generate", "generate_to_parquet", "write"]
