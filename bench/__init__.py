"""``make bench``: the GET /orders benchmark against in-process DB and bare-HTTP floors.

Run ``python -m bench.run --help``. Results go to ``docs/performance.md`` and
``bench/results/summary.json`` (small, meant to be kept); raw outputs (wrk output, server
logs, recorded statements, query plans) to ``bench/results/raw/``, which git ignores.
"""
