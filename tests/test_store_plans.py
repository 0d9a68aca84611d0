"""The store's per-batch queries look rows up by the batch's own keys (issue 18).

An ``IS NULL`` test on an indexed column reads to SQLite like an equality it may use the
column's index for: then the query walks every NULL row of the archive (every article
that is no copy, every unresolved link) for each batch, and a store batch costs more the
bigger the archive. These plans must key on content_hash, source_id and target_url."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive import CrawlArchive
from archive.earliest import _CANDIDATES, EARLIEST_COPY
from archive.writes import _RESOLVE_IN_MANY, _RESOLVE_OUT, _RESOLVE_OUT_MANY


@pytest.fixture
def arch() -> Iterator[CrawlArchive]:
    with CrawlArchive(":memory:") as opened:
        yield opened


def plan(arch: CrawlArchive, sql: str) -> str:
    params = ["x"] * sql.count("?")
    return " | ".join(str(row[3]) for row in arch.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


@pytest.mark.parametrize(
    ("sql", "uses", "never"),
    [
        (
            _CANDIDATES.format(marks="?,?,?"),
            "idx_articles_content_hash",
            "idx_articles_duplicate_of",
        ),
        (EARLIEST_COPY, "idx_articles_content_hash", "idx_articles_duplicate_of"),
        (_RESOLVE_OUT, "sqlite_autoindex_links_1 (source_id=?)", "idx_links_target_id"),
        (_RESOLVE_OUT_MANY.format(marks="?,?"), "sqlite_autoindex_links_1", "idx_links_target_id"),
        (_RESOLVE_IN_MANY.format(marks="?,?"), "idx_links_target_url", "idx_links_target_id"),
    ],
)
def test_batch_queries_key_on_the_batch_not_on_null_columns(
    arch: CrawlArchive, sql: str, uses: str, never: str
) -> None:
    shown = plan(arch, sql)
    assert uses in shown
    assert never not in shown
    assert "SCAN" not in shown.replace("SCAN CONSTANT ROW", "")
