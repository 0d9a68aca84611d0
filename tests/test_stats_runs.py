"""`morgue stats`: the "Last runs" table shows pages, new, changed, unchanged and errors per
run (issue 20, item 15): from the run's own counters, or counted from its captures when the
run has none (killed, or still running)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from research_archive import build

from archive import Archive, CrawlArchive
from archive.cli import cli

COUNTERS = {
    "morgue/store/captures": 12,
    "morgue/store/articles_new": 3,
    "morgue/store/articles_changed": 2,
    "morgue/store/articles_unchanged": 5,
    "morgue/store/failed_fetches": 1,
    "item_scraped_count": 12,
}


def archive_with_runs(tmp_path: Path) -> str:
    db = build(tmp_path / "archive.db")  # run-1: finished with empty stats, 5 captures, 1 failed
    with CrawlArchive(db) as archive:
        archive.start_run(
            "run-2", spider="articles", args={}, settings={}, started_at="2025-06-01T00:00:00Z"
        )
        archive.finish_run(
            "run-2", finished_at="2025-06-01T01:00:00Z", finish_reason="finished", stats=COUNTERS
        )
        archive.start_run(  # killed: never finished, no stats
            "run-3", spider="articles", args={}, settings={}, started_at="2025-07-01T00:00:00Z"
        )
    return db


def test_stats_gives_each_run_its_counts(tmp_path: Path) -> None:
    db = archive_with_runs(tmp_path)
    with Archive(db, readonly=True) as archive:
        runs = {run["id"]: run for run in archive.stats()["runs"]}
    counts = ("pages", "new", "changed", "unchanged", "errors")
    assert [runs["run-2"][k] for k in counts] == [12, 3, 2, 5, 1]  # the run's own counters
    assert [runs["run-1"][k] for k in counts] == [5, None, None, None, 1]  # from its captures
    assert [runs["run-3"][k] for k in counts] == [0, None, None, None, 0]


def test_the_last_runs_table_shows_them(tmp_path: Path) -> None:
    db = archive_with_runs(tmp_path)
    result = CliRunner().invoke(
        cli,
        ["stats", "--db", db, "--format", "table"],
        env={"COLUMNS": "220"},
    )
    assert result.exit_code == 0, result.output
    runs = result.stdout.split("Last runs")[1]
    header = next(line for line in runs.splitlines() if "Pages" in line)
    for name in ("Run", "Pages", "New", "Changed", "Unchanged", "Errors", "Finish reason"):
        assert name in header, name
    row = next(line for line in runs.splitlines() if "run-2" in line)
    assert row.split()[-6:] == ["12", "3", "2", "5", "1", "finished"], row
    killed = next(line for line in runs.splitlines() if "run-3" in line)
    assert "(running or killed)" in killed and "-" in killed
    as_json = json.loads(CliRunner().invoke(cli, ["stats", "--db", db]).stdout)
    assert {r["id"]: r["new"] for r in as_json["runs"]} == {
        "run-1": None,
        "run-2": 3,
        "run-3": None,
    }


def test_the_last_runs_table_fits_80_columns(tmp_path: Path) -> None:
    db = archive_with_runs(tmp_path)
    result = CliRunner().invoke(
        cli, ["stats", "--db", db, "--format", "table"], env={"COLUMNS": "80"}
    )
    runs = result.stdout.split("Last runs")[1]
    assert all(len(line) <= 80 for line in runs.splitlines())
    row = next(line for line in runs.splitlines() if "run-2" in line)
    assert row.split()[-6:] == ["12", "3", "2", "5", "1", "finished"], row
