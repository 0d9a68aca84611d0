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


# -- issue 20, item 10: the edge cases ------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "PRAGMA journal_mode = DELETE",  # was "disk I/O error"
        "PRAGMA journal_mode=wal",
        "VACUUM INTO '{dir}/copy.db'",  # was a copy of the archive
        "ATTACH '{dir}/new.db' AS other",  # was a new, empty file
        "  vacuum   into '{dir}/copy.db'",
    ],
)
def test_pragma_writes_vacuum_into_and_attach_are_refused(db: str, statement: str) -> None:
    folder = Path(db).parent

    def files() -> list[str]:  # a WAL reader's -shm and -wal beside the archive are normal
        return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-shm", "-wal")))

    before = files()
    result = run("sql", statement.format(dir=folder), "--db", db)
    assert result.exit_code == 1, result.output
    assert "Error: morgue sql is read-only" in result.stderr
    assert "disk I/O" not in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    assert files() == before == ["archive.db"]  # no copy, no attached file


@pytest.mark.parametrize(
    ("statement", "column"),
    [
        ("PRAGMA table_info(articles)", "name"),
        ("SELECT name FROM pragma_table_info('articles')", "name"),
        ("PRAGMA journal_mode", "journal_mode"),
        ("PRAGMA index_list('articles')", "name"),
    ],
)
def test_reading_pragmas_still_work(db: str, statement: str, column: str) -> None:
    result = run("sql", statement, "--db", db)
    assert result.exit_code == 0, result.output
    assert column in json.loads(result.stdout)[0]


@pytest.mark.parametrize("statement", ["", "   ", "\n"])
def test_an_empty_query_is_a_usage_error(db: str, statement: str) -> None:
    result = run("sql", statement, "--db", db)
    assert result.exit_code == 2, result.output
    assert "Error: " in result.stderr and "SQL statement is empty" in result.stderr


def test_json_shows_binary_columns_as_csv_does(db: str) -> None:
    statement = "SELECT id, body FROM captures WHERE body IS NOT NULL ORDER BY id LIMIT 1"
    as_json = json.loads(run("sql", statement, "--db", db).stdout)
    as_csv = list(
        csv.DictReader(io.StringIO(run("sql", statement, "--db", db, "--format", "csv").stdout))
    )
    assert as_json[0]["body"] == as_csv[0]["body"]
    assert as_json[0]["body"].endswith(" bytes>") and as_json[0]["body"].startswith("<")
    assert "b'" not in json.dumps(as_json) and "\\x" not in json.dumps(as_json)


def test_csv_lines_end_with_a_newline_only(db: str) -> None:
    result = run("sql", QUERY, "--db", db, "--format", "csv")
    assert result.stdout_bytes == b"site,n\ncoastline.example,2\nother.example,2\n"
