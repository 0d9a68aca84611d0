"""morgue sql: one statement on the archive, opened read-only (mode=ro); writes fail."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_archive import A, build

from archive import Archive
from archive.cli import cli
from archive.errors import ReadOnlyError


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


QUERY = "SELECT site, count(*) AS n FROM articles GROUP BY site ORDER BY site"


def test_json_when_piped(db: str) -> None:
    result = run("sql", QUERY, "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"site": "coastline.example", "n": 2},
        {"site": "other.example", "n": 2},
    ]


def test_table_is_aligned(db: str) -> None:
    result = run("sql", QUERY, "--db", db, "--format", "table")
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "example" in line]
    assert len(lines) == 2
    assert len({len(line) for line in lines}) == 1  # same width: aligned columns
    assert "2 row(s)" in result.stdout
    empty = run("sql", "SELECT id FROM articles WHERE 0", "--db", db, "--format", "table")
    assert "(no rows)" in empty.stdout


def test_csv(db: str) -> None:
    result = run(
        "sql",
        f"SELECT id, authors FROM articles WHERE id = '{A.id}'",
        "--db",
        db,
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [{"id": A.id, "authors": '["Ann Reporter"]'}]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM articles",
        "UPDATE articles SET title = 'x'",
        "INSERT INTO runs (id) VALUES ('evil')",
        "CREATE TABLE notes (x)",
        "DROP TABLE links",
        "PRAGMA user_version = 99",
    ],
)
def test_writes_fail_clearly_and_change_nothing(db: str, statement: str) -> None:
    before = hashlib.sha256(Path(db).read_bytes()).hexdigest()
    result = run("sql", statement, "--db", db)
    assert result.exit_code == 1, result.output
    assert "Error: morgue sql is read-only" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert hashlib.sha256(Path(db).read_bytes()).hexdigest() == before
    with Archive(db, readonly=True) as archive:
        assert archive.query("SELECT count(*) AS n FROM articles")[0]["n"] == 4


def test_the_archive_api_is_read_only_too(db: str) -> None:
    with Archive(db, readonly=True) as archive, pytest.raises(ReadOnlyError):
        archive.query("DELETE FROM articles")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("SELEC 1", "syntax error"),
        ("SELECT nope FROM articles", "no such column"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
    ],
)
def test_bad_sql_is_a_clean_error(db: str, statement: str, message: str) -> None:
    result = run("sql", statement, "--db", db)
    assert result.exit_code == 1
    assert "Error: SQLite refused the query" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_missing_archive(tmp_path: Path) -> None:
    result = run("sql", "SELECT 1", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "Error: No archive at" in result.stderr
    assert not (tmp_path / "none.db").exists()
