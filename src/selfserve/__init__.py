"""Selfserve: a self-hostable, Nue-compatible self-service orders API."""

__all__ = ["__version__"]

__version__ = "0.1.0"
