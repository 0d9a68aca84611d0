"""morgue export: every table in every format, filters, the data dictionary, --excel-safe,
Parquet types read back by pandas and DuckDB, streaming memory, and the error paths."""

from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from research_archive import A, B, C, D, build

from archive import CrawlArchive
from archive.cli import cli
from archive.errors import UsageError
from archive.export import excel_safe_cell, export
from archive.filters import ArticleFilter
from archive.schema import ARTICLE_COLUMNS

TABLES = {"articles": 4, "blocks": 8, "links": 9, "captures-meta": 5}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_in_every_format(db: str, tmp_path: Path, table: str, fmt: str) -> None:
    out = tmp_path / f"{table}.{fmt}"
    result = run("export", "--table", table, "--format", fmt, "--out", str(out), "--db", db)
    assert result.exit_code == 0, result.output
    assert f"Exported {TABLES[table]} {table} rows" in result.stderr
    rows = read_rows(out, fmt)
    assert len(rows) == TABLES[table]
    if table == "captures-meta":
        assert "body" not in rows[0] and "body_size" in rows[0]
    dictionary = json.loads((tmp_path / f"{table}.{fmt}.schema.json").read_text())
    assert dictionary["table"] == table and dictionary["rows"] == TABLES[table]
    assert [c["name"] for c in dictionary["columns"]] == list(rows[0])
    assert all(c["description"] for c in dictionary["columns"]), dictionary["columns"]
    assert not list(tmp_path.glob("*.part"))


def test_csv_keeps_json_as_text_and_jsonl_decodes_it(db: str, tmp_path: Path) -> None:
    with CrawlArchive(db, readonly=True) as archive:
        export(archive, "csv", tmp_path / "a.csv")
        export(archive, "jsonl", tmp_path / "a.jsonl")
    rows = read_rows(tmp_path / "a.csv", "csv")
    assert list(rows[0]) == list(ARTICLE_COLUMNS)
    assert json.loads(rows[2]["authors"]) == ["Ann Reporter", "Cy Editor"]
    records = read_rows(tmp_path / "a.jsonl", "jsonl")
    assert records[2]["authors"] == ["Ann Reporter", "Cy Editor"]
    assert records[0]["field_sources"] == {"title": "json-ld"}
    assert [r["id"] for r in records] == [A.id, B.id, C.id, D.id]


def test_parquet_types_read_back_by_pandas_and_duckdb(db: str, tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    assert run("export", "--format", "parquet", "--out", str(out), "--db", db).exit_code == 0
    frame = pd.read_parquet(out)
    assert len(frame) == 4
    assert list(frame.columns) == list(ARTICLE_COLUMNS)
    assert str(frame["word_count"].dtype) == "int64"
    assert str(frame["version"].dtype) == "int64"
    for column in ("published_at", "first_seen_at", "last_seen_at"):
        assert str(frame[column].dtype) == "datetime64[us, UTC]", column
    assert frame.loc[0, "published_at"] == pd.Timestamp("2025-03-01T08:00:00Z")
    assert pd.isna(frame.loc[3, "published_at"])  # D has no date
    assert list(frame.loc[2, "authors"]) == ["Ann Reporter", "Cy Editor"]
    assert pd.api.types.is_string_dtype(frame["title"])
    con = duckdb.connect()
    by_site = con.execute(
        f"SELECT site, count(*), max(word_count) FROM read_parquet('{out}') "
        "GROUP BY site ORDER BY site"
    ).fetchall()
    assert [row[:2] for row in by_site] == [("coastline.example", 2), ("other.example", 2)]
    authors = con.execute(
        f"SELECT id FROM read_parquet('{out}') WHERE list_contains(authors, 'Cy Editor')"
    ).fetchall()
    assert authors == [(C.id,)]
    stamp = con.execute(
        f"SELECT typeof(published_at) FROM read_parquet('{out}') LIMIT 1"
    ).fetchone()
    assert stamp is not None and stamp[0] == "TIMESTAMP WITH TIME ZONE"


def test_parquet_of_other_tables_has_real_types(db: str, tmp_path: Path) -> None:
    out = tmp_path / "captures.parquet"
    with CrawlArchive(db, readonly=True) as archive:
        export(archive, "parquet", out, table="captures-meta")
    schema = pq.read_schema(out)
    assert str(schema.field("status").type) == "int64"
    assert str(schema.field("fetched_at").type) == "timestamp[us, tz=UTC]"
    assert sorted(pd.read_parquet(out)["status"].tolist()) == [0, 200, 200, 200, 200]


@pytest.mark.parametrize(
    ("args", "table", "expected"),
    [
        (["--site", "other.example"], "articles", {C.id, D.id}),
        (["--since", "2025-03-02", "--until", "2025-03-31"], "articles", {B.id}),
        (["--author", "ann reporter"], "articles", {A.id, C.id}),
        (["--section", "crime"], "articles", {A.id, C.id}),
        (["--cluster", C.id], "articles", {A.id, C.id}),
        (["--site", "coastline.example"], "blocks", {A.id, B.id}),
        (["--cluster", A.id], "links", {A.id, C.id}),
        (["--site", "other.example"], "captures-meta", {C.id, D.id}),
    ],
)
def test_filters_pick_articles_and_their_rows(
    db: str, tmp_path: Path, args: list[str], table: str, expected: set[str]
) -> None:
    out = tmp_path / "out.jsonl"
    result = run(
        "export", "--table", table, "--format", "jsonl", "--out", str(out), *args, "--db", db
    )
    assert result.exit_code == 0, result.output
    key = {"articles": "id", "blocks": "article_id", "links": "source_id"}.get(table, "article_id")
    assert {row[key] for row in read_rows(out, "jsonl")} == expected
    assert json.loads((tmp_path / "out.jsonl.schema.json").read_text())["filters"]


def test_excel_safe(db: str, tmp_path: Path) -> None:
    plain, safe = tmp_path / "plain.csv", tmp_path / "safe.csv"
    run("export", "--format", "csv", "--out", str(plain), "--db", db)
    run("export", "--format", "csv", "--out", str(safe), "--excel-safe", "--db", db)
    plain_d = read_rows(plain, "csv")[3]
    safe_d = read_rows(safe, "csv")[3]
    assert plain_d["title"].startswith("=HYPERLINK")
    assert safe_d["title"].startswith("'=HYPERLINK")
    assert safe_d["body_text"].startswith("'-5 degrees")
    assert safe_d["authors"] == plain_d["authors"]  # JSON text starts with [, left alone
    assert safe_d["word_count"] == plain_d["word_count"]
    assert read_rows(safe, "csv")[0]["title"] == "Prison scandal at Dannemora"
    assert json.loads((tmp_path / "safe.csv.schema.json").read_text())["excel_safe"] is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("@sum", "'@sum"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("", ""),
        (5, 5),
        (None, None),
        ("a=b", "a=b"),
    ],
)
def test_excel_safe_cell(value: object, expected: object) -> None:
    assert excel_safe_cell(value) == expected


def test_stdout_for_text_formats(db: str) -> None:
    result = run("export", "--table", "links", "--format", "csv", "--db", db)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("source_id,position,kind,target_url")
    assert len(result.stdout.splitlines()) == 10
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--format", "parquet"], "Parquet is binary", 2),
        (["--format", "jsonl", "--excel-safe"], "--excel-safe is for CSV", 2),
        (["--format", "graphml"], "graphml is a graph format", 2),
        (["--format", "csv", "--since", "soon"], "--since takes", 2),
        (
            ["--format", "csv", "--table", "articles", "--graph", "related"],
            "Give --table or --graph, not both",
            2,
        ),
    ],
)
def test_usage_errors(db: str, args: list[str], message: str, code: int) -> None:
    result = run("export", *args, "--db", db)
    assert result.exit_code == code, result.output
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_table_or_format(db: str) -> None:
    assert run("export", "--table", "runs", "--format", "csv", "--db", db).exit_code == 2
    assert run("export", "--format", "xlsx", "--db", db).exit_code == 2
    with CrawlArchive(db, readonly=True) as archive, pytest.raises(UsageError, match="xml"):
        export(archive, "xml", None)


def test_unwritable_output_is_a_clean_error(db: str, tmp_path: Path) -> None:
    result = run("export", "--format", "csv", "--out", str(tmp_path / "no" / "dir.csv"), "--db", db)
    assert result.exit_code == 1 and "Error: Cannot write" in result.stderr


def test_missing_archive(tmp_path: Path) -> None:
    result = run("export", "--format", "csv", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "Error: No archive at" in result.stderr


def test_parquet_streams_in_bounded_memory(tmp_path: Path) -> None:
    """5,000 rows of 20 kB (100 MB) go out with far less than that in Python at once."""
    from research_archive import article

    body = "word " * 2000
    path = tmp_path / "big.db"
    from pipelines.core.records import Capture, PageWrite

    with CrawlArchive(path) as archive:
        for start in range(0, 5000, 1000):
            archive.save_batch(
                [
                    PageWrite(
                        Capture(
                            url=f"https://big.example/{i}/",
                            final_url=f"https://big.example/{i}/",
                            status=200,
                            run_id="r",
                            fetched_at=f"t{i:05d}",
                        ),
                        article(
                            "big.example",
                            str(i),
                            f"T{i}",
                            f"{i} {body}",
                            authors=[],
                            section=None,
                            published=None,
                            related=[],
                        ),
                        "new",
                    )
                    for i in range(start, start + 1000)
                ]
            )
    with CrawlArchive(path, readonly=True) as archive:
        tracemalloc.start()
        try:
            result = export(archive, "parquet", tmp_path / "big.parquet", filters=ArticleFilter())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.rows == 5000
    assert pq.read_metadata(tmp_path / "big.parquet").num_rows == 5000
    assert peak < 25_000_000, f"export held {peak} bytes of Python objects at once"


def test_progress_bar_shows_rate_and_eta(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with CrawlArchive(db, readonly=True) as archive:
        result = export(archive, "csv", tmp_path / "a.csv", progress=True)
    assert result.rows == 4
    err = capsys.readouterr().err
    assert "Exporting articles" in err and "4/4" in err and "ETA" in err


def test_csv_round_trips_every_value(db: str, tmp_path: Path) -> None:
    """Quotes, commas, newlines and formulas survive; NULL is an empty field."""
    out = tmp_path / "a.csv"
    with CrawlArchive(db, readonly=True) as archive:
        export(archive, "csv", out)
        stored = archive.query(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles ORDER BY rowid")
    rows = read_rows(out, "csv")
    expected = [{k: "" if v is None else str(v) for k, v in row.items()} for row in stored]
    assert rows == expected
    assert rows[3]["title"] == '=HYPERLINK("http://evil.example") storm warning'
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == 5  # header + 4 rows, CRLF like the csv module


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (['["a", "b"]', "[]", None], [["a", "b"], [], None]),
        (['["x,\\"y\\"}"]'], [['x,"y"}']]),
        (['["a"]', "not json"], [["a"], ["not json"]]),  # one bad value: value by value
        (['["a"]}\n{"v":["b"]', '["c"]'], [['["a"]}\n{"v":["b"]'], ["c"]]),  # a line break
        (['["é ü"]'], [["é ü"]]),
    ],
)
def test_parquet_lists_from_json_text(values: list[str | None], expected: list[Any]) -> None:
    import pyarrow as pa

    from archive.export.parquet import _lists

    assert _lists(values, pa.list_(pa.string())).to_pylist() == expected


@pytest.mark.parametrize("codec", ["snappy", "zstd", "lz4", "none"])
def test_parquet_compression(db: str, tmp_path: Path, codec: str) -> None:
    out = tmp_path / "a.parquet"
    result = run(
        "export", "--format", "parquet", "--compression", codec, "--out", str(out), "--db", db
    )
    assert result.exit_code == 0, result.output
    column = pq.read_metadata(out).row_group(0).column(0)
    assert column.compression == ("UNCOMPRESSED" if codec == "none" else codec.upper())
    assert json.loads((tmp_path / "a.parquet.schema.json").read_text())["compression"] == codec
    assert len(pd.read_parquet(out)) == 4
