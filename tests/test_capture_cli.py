"""`morgue capture ID --raw > page.html` writes a capture's bytes as fetched, and
`morgue show ID --captures` lists the capture IDs (issue 20, item 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_archive import A, build

from archive import Archive, CrawlArchive
from archive.cli import cli
from pipelines.core.records import Capture, PageWrite

REPO = Path(__file__).resolve().parents[1]
#: Not UTF-8, CRLF line ends, a NUL: bytes that any text decoding or newline translation
#: would change.
LATIN1 = b"<html><body><p>caf\xe9 cr\xe8me</p>\r\n\x00</body></html>\r\n"


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, str]:
    """The research archive plus a latin-1 page captured with no article; (db, its ID)."""
    path = build(tmp_path / "archive.db")
    page = Capture(
        "https://coastline.example/latin/",
        "https://coastline.example/latin/",
        200,
        "2025-05-10T10:00:00Z",
        "run-1",
        headers={"content-type": "text/html; charset=iso-8859-1"},
        body=LATIN1,
        content_type="text/html; charset=iso-8859-1",
    )
    with CrawlArchive(path) as archive:
        archive.save_batch([PageWrite(page)])
    return path, page.id


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def test_raw_writes_the_bytes_as_fetched(db: tuple[str, str], tmp_path: Path) -> None:
    path, capture_id = db
    result = run("capture", capture_id, "--raw", "--db", path)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == LATIN1
    by_prefix = run("capture", capture_id[:7], "--raw", "--db", path)
    assert by_prefix.stdout_bytes == LATIN1
    page = tmp_path / "page.html"  # the shell redirect, for real
    with page.open("wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "archive.cli", "capture", capture_id, "--raw", "--db", path],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert page.read_bytes() == LATIN1


def test_without_raw_it_describes_the_capture(db: tuple[str, str]) -> None:
    path, capture_id = db
    text = run("capture", capture_id, "--db", path, "--format", "table")
    assert text.exit_code == 0, text.output
    for expected in (capture_id, "https://coastline.example/latin/", "200", "iso-8859-1"):
        assert expected in text.stdout
    assert f"{len(LATIN1)} bytes" in text.stdout and "caf" not in text.stdout
    data = json.loads(run("capture", capture_id, "--db", path).stdout)
    assert data["id"] == capture_id and data["body_size"] == len(LATIN1)
    assert "body" not in data


def test_errors_are_one_line(db: tuple[str, str]) -> None:
    path, _ = db
    missing = run("capture", "ffffffffffffffff", "--raw", "--db", path)
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: No capture")
    assert missing.stdout_bytes == b""
    with Archive(path, readonly=True) as archive:
        (failed,) = archive.query("SELECT id FROM captures WHERE status = 0")
    no_body = run("capture", failed["id"], "--raw", "--db", path)
    assert no_body.exit_code == 1 and no_body.stdout_bytes == b""
    assert "no response" in no_body.stderr and "TimeoutError" in no_body.stderr


def test_show_captures_lists_the_capture_ids(db: tuple[str, str]) -> None:
    path, _ = db
    with Archive(path, readonly=True) as archive:
        expected = [c["id"] for c in archive.get_article(A.id)["captures"]]
    assert expected
    result = run("show", A.id, "--captures", "--db", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == expected
    assert all(len(line.split("\t")) == 4 for line in lines)  # id, fetched_at, status, url
    assert "Prison scandal" not in result.stdout  # the captures only
    as_json = json.loads(run("show", A.id, "--captures", "--format", "json", "--db", path).stdout)
    assert [c["id"] for c in as_json] == expected
    first = run("capture", expected[0], "--raw", "--db", path)
    assert first.stdout_bytes == b"<html>Prison scandal at Dannemora</html>"
