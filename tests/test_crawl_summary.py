"""The crawl's closing summary: new, changed and unchanged articles apart (#20, item 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import crawler.runner
from archive.cli import cli
from crawler.runner import CrawlSummary, _Tally, article_counts


class _Item:
    def __init__(self, action: str, error: str | None = None) -> None:
        self.action, self.error, self.reached_by = action, error, "related"


@pytest.mark.parametrize(
    ("stats", "actions", "expected"),
    [
        # what the archive did wins over the pages' dedup actions
        (
            {
                "morgue/store/batches": 1,
                "morgue/store/articles_new": 2,
                "morgue/store/articles_changed": 1,
                "morgue/store/articles_unchanged": 4,
            },
            ["new"],
            (2, 1, 4),
        ),
        # nothing stored: the tally of the actions
        ({}, ["new", "changed", "seen", "unchanged"], (1, 1, 2)),
        ({}, [], (0, 0, 0)),
    ],
)
def test_article_counts(
    stats: dict[str, Any], actions: list[str], expected: tuple[int, int, int]
) -> None:
    tally = _Tally()
    for action in actions:
        tally.item_scraped(_Item(action))
    assert article_counts(stats, tally) == expected


def test_summary_reports_new_changed_and_unchanged_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run_crawl(*_: Any, **__: Any) -> CrawlSummary:
        return CrawlSummary(
            run_id="run-1",
            finish_reason="finished",
            pages=7,
            articles_new=2,
            articles_seen=5,
            articles_changed=1,
            articles_unchanged=4,
            errors=0,
            seeds=1,
        )

    monkeypatch.setattr(crawler.runner, "run_crawl", fake_run_crawl)
    db = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["crawl", "https://a.example/", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "articles: 2 new, 1 changed, 4 unchanged; 0 errors" in result.stdout
    assert "seen again" not in result.stdout
