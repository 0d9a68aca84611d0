"""Readers open an archive on a read-only mount or in a read-only folder (issue 20, item 3).

SQLite's ``mode=ro`` still needs to make the WAL index (``-shm``) beside the file; where it
cannot, the readers fall back to ``immutable=1`` and say so in one ``Note:`` line. How the
read-only place is made honestly while the tests run as root: tests/readonly_helpers.py.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import stop_process
from readonly_helpers import REPO, in_readonly_mount, morgue, run, without_dac_override
from research_archive import A, C, build

#: Every reading command, what it must print, and its arguments (the archive is --db).
READERS = {
    "search": (["search", "dannemora", "-q"], f"{A.id}\n{C.id}\n"),
    "show": (["show", A.id, "--format", "json"], "Prison scandal at Dannemora"),
    "stats": (["stats", "--format", "json"], '"articles": 4'),
    "sql": (["sql", "SELECT count(*) AS n FROM articles"], '"n": 4'),
    "export": (["export", "--format", "jsonl", "--quiet"], A.id),
    "serve": (["serve", "--metadata-out", "-"], '"articles_fts"'),
}


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    """A folder holding only a finished archive (no -wal, no -shm), as a copy would be."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    build(folder / "archive.db")
    for extra in folder.glob("archive.db-*"):
        extra.unlink()
    return folder


def check_reader(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1, result.stderr
    assert "read-only" in notes[0] and "immutable=1" in notes[0]
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


@pytest.mark.parametrize("name", sorted(READERS))
def test_readers_open_an_archive_on_a_read_only_mount(shelf: Path, name: str) -> None:
    args, expected = READERS[name]
    db = shelf / "archive.db"
    result = run(in_readonly_mount(shelf, morgue(*args, "--db", str(db))))
    check_reader(result, expected)
    assert sorted(p.name for p in shelf.iterdir()) == ["archive.db"]  # nothing made


@pytest.mark.parametrize("name", sorted(READERS))
def test_readers_open_an_archive_in_a_read_only_folder(shelf: Path, name: str) -> None:
    args, expected = READERS[name]
    db = shelf / "archive.db"
    db.chmod(0o444)
    shelf.chmod(0o555)
    try:
        result = run(without_dac_override(morgue(*args, "--db", str(db))))
    finally:
        shelf.chmod(0o755)
    check_reader(result, expected)
    assert sorted(p.name for p in shelf.iterdir()) == ["archive.db"]


def test_a_read_only_file_in_a_writable_folder_needs_no_fallback(shelf: Path) -> None:
    db = shelf / "archive.db"
    db.chmod(0o444)
    result = run(without_dac_override(morgue("stats", "--format", "json", "--db", str(db))))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["articles"] == 4
    assert "Note:" not in result.stderr  # SQLite made its -shm beside it: the usual open


def test_the_note_says_when_a_wal_file_is_ignored(shelf: Path) -> None:
    """A copy taken while a writer had uncommitted-to-the-file pages in its -wal: immutable
    reads the main file only, and the note says the latest writes may be missing."""
    db = shelf / "archive.db"
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO runs (id, started_at) VALUES ('late', '2025-06-01T00:00:00Z')")
    writer.commit()
    copy = shelf.parent / "copy"
    copy.mkdir()
    for name in ("archive.db", "archive.db-wal"):
        shutil.copy(shelf / name, copy / name)
    writer.close()
    result = run(
        in_readonly_mount(
            copy, morgue("sql", "SELECT id FROM runs", "--db", str(copy / "archive.db"))
        )
    )
    assert result.returncode == 0, result.stderr
    assert "archive.db-wal" in result.stderr and "latest writes may be missing" in result.stderr
    assert json.loads(result.stdout) == [{"id": "run-1"}]  # 'late' is in the ignored -wal


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_readonly(shelf: Path, tmp_path: Path) -> Iterator[str]:
    """``morgue serve`` of the archive on a read-only mount, on 127.0.0.1."""
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = morgue("serve", "--db", str(shelf / "archive.db"), "--port", str(port))
    process = subprocess.Popen(
        in_readonly_mount(shelf, command), cwd=REPO, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    pytest.fail(
                        "morgue serve did not start:\n" + (tmp_path / "serve.log").read_text()
                    )
                time.sleep(0.2)
        yield base
    finally:
        stop_process(process)
        log.close()


def test_serve_answers_from_a_read_only_mount(served_readonly: str, tmp_path: Path) -> None:
    url = served_readonly + "/archive/articles.json?_search=dannemora&_shape=array&_col=title"
    with urllib.request.urlopen(url, timeout=10) as response:
        rows = json.load(response)
    assert sorted(row["id"] for row in rows) == sorted([A.id, C.id])
    assert "immutable=1" in (tmp_path / "serve.log").read_text()


# -- export --out onto a read-only place: one line, exit nonzero (item 4) -------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "csv"],
        ["--format", "jsonl", "--table", "links"],
        ["--format", "parquet"],
        ["--graph", "related", "--format", "graphml"],
        ["--graph", "related", "--format", "csv"],
    ],
)
@pytest.mark.parametrize("place", ["mount", "folder"])
def test_export_onto_a_read_only_place_is_one_line(
    tmp_path: Path, args: list[str], place: str
) -> None:
    db = build(tmp_path / "archive.db")
    target = tmp_path / "out"
    target.mkdir()
    out = target / "export.file"
    command = morgue("export", *args, "--quiet", "--db", db, "--out", str(out))
    if place == "mount":
        result = run(in_readonly_mount(target, command))
    else:
        target.chmod(0o555)
        try:
            result = run(without_dac_override(command))
        finally:
            target.chmod(0o755)
    assert result.returncode == 1, result.stderr
    reason = "Read-only file system" if place == "mount" else "Permission denied"
    assert result.stderr == f"Error: Cannot write {out}: {reason}.\n"
    assert result.stdout == ""
    assert list(target.iterdir()) == []
