"""Deterministic demo and benchmark data: ``await seed(conn, ...)`` fills one tenant."""

from .generator import SeedSpec
from .loader import SeedError, SeedReport, seed

__all__ = ["SeedError", "SeedReport", "SeedSpec", "seed"]
