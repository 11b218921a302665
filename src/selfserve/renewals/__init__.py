"""Renewals: upcoming renewals, the auto-renew setting, and the scheduled renewal and billing
runs (``selfserve renew``, ``selfserve bill``)."""
