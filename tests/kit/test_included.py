"""Decoding an include read per parent (kit.included.joined): joined rows, row-by-row rows,
documents built for rows that have none, and the truncation flag."""

from __future__ import annotations

from typing import Any

from selfserve.kit.included import joined


def _build(parent_id: str, packed: Any) -> bytes:
    return f'{{"built":"{parent_id}:{packed}"}}'.encode()


def test_a_joined_row_is_taken_as_it_is() -> None:
    rows = [
        ("o-1", 2, b'{"a":1},{"a":2}', None, 0),
        ("o-2", 4, b'{"a":3},{"a":4},{"a":5}', None, 0),
    ]
    assert joined(rows, 3, _build) == {
        "o-1": (b'{"a":1},{"a":2}', False),
        "o-2": (b'{"a":3},{"a":4},{"a":5}', True),
    }


def test_rows_one_by_one_are_joined_with_missing_documents_built_in_their_place() -> None:
    rows = [
        ("o-1", 1, b'{"a":1}', None, 1),
        ("o-1", 2, None, "p2", 1),
        ("o-1", 3, b'{"a":3}', None, 1),
    ]
    assert joined(rows, 3, _build) == {"o-1": (b'{"a":1},{"built":"o-1:p2"},{"a":3}', False)}


def test_rows_one_by_one_keep_the_first_cap_and_flag_the_rest() -> None:
    rows = [("o-1", n, f'{{"a":{n}}}'.encode(), None, 1) for n in (1, 2, 3)]
    assert joined(rows, 2, _build) == {"o-1": (b'{"a":1},{"a":2}', True)}


def test_a_row_beyond_the_cap_is_never_built() -> None:
    built: list[Any] = []

    def build(parent_id: str, packed: Any) -> bytes:
        built.append(packed)
        return b"{}"

    rows = [("o-1", 1, b'{"a":1}', None, 1), ("o-1", 2, None, "beyond", 1)]
    assert joined(rows, 1, build) == {"o-1": (b'{"a":1}', True)}
    assert built == []


def test_both_shapes_in_one_statement_and_parents_without_rows_absent() -> None:
    rows = [("o-1", 1, b'{"a":1}', None, 0), ("o-2", 1, None, "p", 1)]
    assert joined(rows, 5, _build) == {
        "o-1": (b'{"a":1}', False),
        "o-2": (b'{"built":"o-2:p"}', False),
    }
    assert joined([], 5, _build) == {}
