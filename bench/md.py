"""Markdown helpers for the report."""

from __future__ import annotations


def table(headers: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    """A Markdown table: the first ``text_columns`` left-aligned, the rest right-aligned."""
    align = ["---:" if i >= text_columns else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def num(value: float | None, digits: int = 0) -> str:
    """``1,234.5``-style, or an en dash for a missing value."""
    return "–" if value is None else f"{value:,.{digits}f}"
