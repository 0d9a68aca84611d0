"""``morgue merge`` (issue 9): the command, its errors, and a merge killed mid-shard."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from merge_shards import build, dump, scenario, split

from archive import Archive
from archive.cli import cli
from crawler.extensions.runlock import RunLock
from pipelines.neardup.sketch import SketchParams

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli-shards")
    runs = scenario()
    paths = {"single": folder / "single.db", "a": folder / "a.db", "b": folder / "b.db"}
    build(paths["single"], runs)
    first, second = split(runs)
    build(paths["a"], first)
    build(paths["b"], second)
    return paths


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def assert_clean_error(result: Result, message: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert f"Error: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_merge_prints_a_summary_per_shard(shards: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "merged.db"
    result = run("merge", str(shards["a"]), str(shards["b"]), "--into", str(target))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    headers = [line for line in lines if not line.startswith(" ")]
    assert len(headers) == 2
    assert headers[0].startswith(f"{shards['a']} -> {target}: merged in ")
    assert headers[1].startswith(f"{shards['b']} -> {target}: merged in ")
    articles_a = len(dump(shards["a"])["articles"])
    assert f"  articles: {articles_a} inserted, 0 updated, 0 unchanged" in lines
    assert dump(target) == dump(shards["single"])
    again = run("merge", str(shards["b"]), "--db", str(target))  # --db is --into
    assert again.exit_code == 0
    assert ": nothing new in " in again.stdout.splitlines()[0]
    assert dump(target) == dump(shards["single"])


def test_merge_json_and_morgue_db(shards: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "merged.db"
    result = run("merge", str(shards["a"]), "--json", env={"MORGUE_DB": str(target)})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["shard"] == str(shards["a"]) and report["target"] == str(target)
    assert report["changed"] is True and report["migrated_from"] is None
    assert report["tables"]["articles"]["inserted"] == len(dump(shards["a"])["articles"])
    assert set(report["tables"]) == {
        "aliases",
        "articles",
        "blocks",
        "captures",
        "import_errors",
        "links",
        "near_dups",
        "pages",
        "paragraph_counts",
        "runs",
        "versions",
    }


def test_near_dup_settings(
    shards: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = str(tmp_path / "t.db")
    given: list[Any] = []
    merge_shard = Archive.merge_shard

    def recording(self: Archive, shard: Any, **kwargs: Any) -> Any:
        given.append(kwargs.get("near_dup"))
        return merge_shard(self, shard, **kwargs)

    monkeypatch.setattr(Archive, "merge_shard", recording)
    ok = run("merge", str(shards["a"]), "--into", target, "-s", "NEAR_DUP_THRESHOLD=0.9")
    assert ok.exit_code == 0, ok.output
    # the setting reaches the cluster recomputation; the others keep the crawl's defaults
    [near_dup] = given
    assert near_dup.threshold == 0.9
    assert near_dup.params == SketchParams()
    for bad, message in [
        ("DEPTH_LIMIT=3", "-s takes NAME=VALUE with NAME one of NEAR_DUP_SHINGLE_SIZE"),
        ("NEAR_DUP_THRESHOLD", "-s takes NAME=VALUE"),
        ("NEAR_DUP_NUM_PERM=lots", "NEAR_DUP_NUM_PERM takes a number, not 'lots'"),
        ("NEAR_DUP_BANDS=7", "num_perm (64) must be a positive multiple of bands (7)"),
        ("NEAR_DUP_THRESHOLD=2", "NEAR_DUP_THRESHOLD must be in (0, 1], not 2.0"),
    ]:
        assert_clean_error(run("merge", str(shards["a"]), "--into", target, "-s", bad), message, 2)


# -- errors --------------------------------------------------------------------------------


def test_missing_shard_and_missing_target_option(tmp_path: Path) -> None:
    target = tmp_path / "t.db"
    assert_clean_error(
        run("merge", str(tmp_path / "gone.db"), "--into", str(target)), "No shard at"
    )
    assert not target.exists()  # not created for nothing
    missing = run("merge", str(tmp_path / "gone.db"))
    assert missing.exit_code == 2 and "Missing option '--into'" in missing.stderr


def test_files_that_are_not_archives_are_refused(tmp_path: Path) -> None:
    target = str(tmp_path / "t.db")
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    assert_clean_error(
        run("merge", str(text), "--into", target), f"Cannot merge {text}: {text} is not a morgue"
    )
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.close()
    assert_clean_error(
        run("merge", str(other), "--into", target),
        f"Cannot merge {other}: {other} is a SQLite database but not a morgue archive",
    )
    folder = tmp_path / "folder"
    folder.mkdir()
    assert_clean_error(
        run("merge", str(folder), "--into", target), f"Cannot merge {folder}: {folder} is a dir"
    )
    assert_clean_error(
        run("merge", target, "--into", target), f"{target} is the target archive itself", 2
    )


def test_a_newer_shard_is_refused_and_the_target_untouched(
    shards: dict[str, Path], tmp_path: Path
) -> None:
    newer = tmp_path / "newer.db"
    newer.write_bytes(shards["a"].read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    target = tmp_path / "t.db"
    run("merge", str(shards["b"]), "--into", str(target))
    before = dump(target, volatile=True)
    result = run("merge", str(newer), "--into", str(target))
    assert_clean_error(result, "Cannot merge the shard:")
    assert "schema version 99, newer than this morgue understands" in result.stderr
    assert dump(target, volatile=True) == before


def test_a_target_or_shard_held_by_a_crawl_is_refused(
    shards: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "t.db"
    lock = RunLock(str(target))
    lock.acquire()
    try:
        result = run("merge", str(shards["a"]), "--into", str(target))
    finally:
        lock.release()
    assert_clean_error(result, f"Cannot merge into {target}: Another morgue run is crawling")
    busy = tmp_path / "busy.db"
    busy.write_bytes(shards["a"].read_bytes())
    lock = RunLock(str(busy))
    lock.acquire()
    try:
        result = run("merge", str(busy), "--into", str(target))
    finally:
        lock.release()
    assert_clean_error(result, f"The shard {busy} is still being written by a running crawl")
    assert run("merge", str(busy), "--into", str(target)).exit_code == 0  # lock released


# -- killed mid-shard ------------------------------------------------------------------------


def test_a_merge_killed_mid_shard_leaves_the_target_as_before(
    shards: dict[str, Path], tmp_path: Path
) -> None:
    target = tmp_path / "t.db"
    assert run("merge", str(shards["a"]), "--into", str(target)).exit_code == 0
    before = dump(target, volatile=True)
    marker = tmp_path / "in-transaction"
    env = {
        **os.environ,
        "MORGUE_TEST_MERGE_PAUSE": "60",
        "MORGUE_TEST_MERGE_MARKER": str(marker),
    }
    code = "from archive.cli import main; main()"
    log = tmp_path / "merge.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "merge", str(shards["b"]), "--into", str(target)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), log.read_text()
        # the shard's articles are written, uncommitted: kill the process there
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Archive(target) as archive:
        assert archive.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        archive.query("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    assert dump(target, volatile=True) == before
    # the lock died with the process: merging again completes the job
    assert run("merge", str(shards["b"]), "--into", str(target)).exit_code == 0
    assert dump(target) == dump(shards["single"])


def test_merge_format_json_is_the_json_flag(shards: dict[str, Path], tmp_path: Path) -> None:
    """Issue 17: `merge` takes `--format json` like every other command; `--json` stays."""
    flag = run("merge", str(shards["a"]), "--json", "--into", str(tmp_path / "one.db"))
    option = run("merge", str(shards["a"]), "--format", "json", "--into", str(tmp_path / "two.db"))
    assert flag.exit_code == option.exit_code == 0, option.output
    as_flag, as_option = json.loads(flag.stdout), json.loads(option.stdout)
    assert as_flag["tables"] == as_option["tables"] and as_option["changed"] is True
    text = run("merge", str(shards["a"]), "--format", "text", "--into", str(tmp_path / "3.db"))
    assert text.stdout.startswith(f"{shards['a']} -> ") and "{" not in text.stdout
    bad = run("merge", str(shards["a"]), "--format", "xml", "--into", str(tmp_path / "4.db"))
    assert bad.exit_code == 2 and not (tmp_path / "4.db").exists()
