"""Generic building blocks (money, time, pagination, query parsing, HTTP caching).

Nothing in ``kit`` imports a domain package.
"""
