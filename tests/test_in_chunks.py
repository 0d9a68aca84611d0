"""``in_chunks`` and ``in_pieces``: SQL in a few fixed shapes, which sqlite3's statement cache
keeps compiled."""

from __future__ import annotations

import sqlite3

import pytest

from archive.base import in_chunks, in_pieces


@pytest.mark.parametrize(
    ("count", "size", "widths"),
    [
        (0, 500, []),
        (1, 500, [1]),
        (2, 500, [2]),
        (3, 500, [4]),
        (5, 500, [8]),
        (129, 500, [256]),
        (300, 500, [500]),  # never past size: SQLite caps a statement's host parameters
        (500, 500, [500]),
        (501, 500, [500, 1]),
        (1203, 500, [500, 500, 256]),
        (7, 3, [3, 3, 1]),
    ],
)
def test_each_slice_is_padded_to_a_power_of_two_or_size(
    count: int, size: int, widths: list[int]
) -> None:
    values = [f"v{i}" for i in range(count)]
    chunks = list(in_chunks(values, size))
    assert [len(chunk) for chunk, _ in chunks] == widths
    for chunk, marks in chunks:
        assert marks.count("?") == len(chunk)
    # every value asked, in order, each once before the padding; the padding repeats the
    # slice's last value and nothing else
    assert [v for chunk, _ in chunks for v in dict.fromkeys(chunk)] == values


@pytest.mark.parametrize("count", [1, 3, 5, 129, 600])
def test_unpadded_slices_are_the_values_as_given(count: int) -> None:
    values = list(range(count))
    chunks = list(in_chunks(values, 500, pad=False))
    assert [v for chunk, _ in chunks for v in chunk] == values
    assert all(marks.count("?") == len(chunk) for chunk, marks in chunks)


def test_a_padded_in_list_answers_as_the_values_alone() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, n INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(k, k * 10) for k in range(100)])
    wanted = [3, 7, 11, 250]  # 250 is not there
    rows = []
    for chunk, marks in in_chunks(wanted, 500):
        rows += conn.execute(f"SELECT k, n FROM t WHERE k IN ({marks}) ORDER BY k", chunk)
    assert rows == [(3, 30), (7, 70), (11, 110)]
    shapes = {marks for n in range(1, 200) for _, marks in in_chunks(list(range(n)), 500)}
    assert len(shapes) == 9  # 1, 2, 4, ..., 256: not one statement a length


@pytest.mark.parametrize(
    ("count", "size", "widths"),
    [
        (0, 256, []),
        (1, 256, [1]),
        (3, 256, [2, 1]),
        (71, 256, [64, 4, 2, 1]),
        (256, 256, [256]),
        (600, 256, [256, 256, 64, 16, 8]),
    ],
)
def test_values_rows_come_in_power_of_two_pieces_without_repeats(
    count: int, size: int, widths: list[int]
) -> None:
    values = list(range(count))
    pieces = list(in_pieces(values, size))
    assert [len(piece) for piece in pieces] == widths
    assert [v for piece in pieces for v in piece] == values  # each once, in order
