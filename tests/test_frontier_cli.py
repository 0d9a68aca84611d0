"""``morgue crawl --workers N --redis URL``: its arguments and errors (issue 9).

The crawl itself is tests/test_frontier_e2e.py's; these need no worker to start.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from redis_helpers import free_port

from archive import Archive
from archive.cli import cli
from archive.errors import NotAnArchiveError
from crawler.workers import default_job_id, reference_settings, shard_path, worker_command


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_workers_need_a_redis(tmp_path: Path) -> None:
    result = run("crawl", "http://127.0.0.1:9/", "--workers", "2", "--db", str(tmp_path / "a.db"))
    assert result.exit_code == 2
    assert "--redis" in result.output
    assert not (tmp_path / "a.db.shards").exists()


def test_bad_redis_url_and_job_are_refused_before_any_worker(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    bad_url = run("crawl", "http://127.0.0.1:9/", "--redis", "http://127.0.0.1:6379", "--db", db)
    assert bad_url.exit_code == 2 and "redis://" in bad_url.output
    url = f"redis://127.0.0.1:{free_port()}/0"
    bad_job = run("crawl", "http://127.0.0.1:9/", "--redis", url, "--job", "a b", "--db", db)
    assert bad_job.exit_code == 2 and "--job" in bad_job.output
    down = run("crawl", "http://127.0.0.1:9/", "--redis", url, "--db", db)
    assert down.exit_code == 2 and "Cannot reach" in down.output
    assert not list(tmp_path.glob("a.db.shards/*.db"))


def test_default_job_ids_name_one_crawl(tmp_path: Path) -> None:
    one = default_job_id(str(tmp_path / "a.db"), ["http://127.0.0.1/x/", "http://127.0.0.1/y/"])
    same = default_job_id(str(tmp_path / "a.db"), ["http://127.0.0.1/y/", "http://127.0.0.1/x/"])
    other_db = default_job_id(str(tmp_path / "b.db"), ["http://127.0.0.1/x/"])
    other_seeds = default_job_id(str(tmp_path / "a.db"), ["http://127.0.0.1/z/"])
    assert one == same  # a rerun resumes the same job
    assert len({one, other_db, other_seeds}) == 3
    assert one.startswith("crawl-")


def test_only_the_seed_worker_enqueues_seeds(tmp_path: Path) -> None:
    shard = shard_path(tmp_path, "job-1", 1)
    assert shard.name == "job-1-worker-1.db"
    cmd = worker_command({"start_urls": "http://127.0.0.1/"}, {"DEPTH_LIMIT": 0}, shard, False)
    assert cmd[-2:] == ["-s", "MORGUE_FRONTIER_SEED=False"]
    assert f"ARCHIVE_PATH={shard}" in cmd and "DEPTH_LIMIT=0" in cmd
    assert not any("redis://" in part for part in cmd)  # the URL (and password) go by env


def test_workers_judge_freshness_against_an_existing_target(tmp_path: Path) -> None:
    """The target archive, when there is one, is the workers' RECRAWL_REFERENCE (issue 9):
    migrated before any worker starts, and refused clearly when it is not an archive."""
    target = tmp_path / "a.db"
    assert reference_settings(str(target)) == {}  # a first run: nothing to compare with
    Archive(target).close()
    assert reference_settings(str(target)) == {"RECRAWL_REFERENCE": str(target.resolve())}
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite", encoding="utf-8")
    with pytest.raises(NotAnArchiveError, match="not a morgue archive"):
        reference_settings(str(junk))
    url = f"redis://127.0.0.1:{free_port()}/0"
    refused = run("crawl", "http://127.0.0.1:9/", "--redis", url, "--db", str(junk))
    assert refused.exit_code != 0 and "not a morgue archive" in refused.output
    assert "Traceback" not in refused.output
    assert not (tmp_path / "junk.db.shards").exists()  # refused before any worker
