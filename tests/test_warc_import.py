"""``morgue import``: WARC and WACZ files through the crawl's pipelines (issue 18).

Every WARC here is written by the test itself with warcio; nothing is downloaded.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from warc_helpers import (
    SITE,
    article_html,
    metadata,
    request,
    resource,
    response,
    revisit_of,
    write_warc,
)

from archive import Archive
from archive.cli import cli

A_URL = SITE + "news/harbour-reopens/"
B_URL = SITE + "news/ferry-fares-rise/"
A_HTML = article_html("Harbour reopens after storm", "The harbour reopened on Monday.")
B_HTML = article_html("Ferry fares rise in spring", "Fares for the ferry will rise.")


def run_import(*args: str, db: Path, workers: int = 0) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["import", *args, "--db", str(db), "--json", "--workers", str(workers)]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.output)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def table_counts(db: Path) -> dict[str, int]:
    tables = ("captures", "articles", "versions", "import_errors", "links", "aliases")
    return {t: rows(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def mixed_records(writer: Any) -> list[Any]:
    a = response(writer, A_URL, A_HTML, date="2025-03-03T10:00:00Z")
    return [
        request(writer, A_URL),
        a,
        metadata(writer, A_URL),
        request(writer, B_URL),
        response(writer, B_URL, B_HTML, date="2025-03-03T10:00:05Z"),
        resource(writer, SITE + "notes.txt"),
        response(
            writer, SITE + "logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"
        ),
        revisit_of(writer, a, date="2025-03-10T09:00:00Z"),
    ]


@pytest.fixture
def mixed_warc(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.warc.gz"
    write_warc(path, mixed_records)
    return path


def test_import_turns_html_responses_into_articles_and_counts_the_rest(
    mixed_warc: Path, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    summary = run_import(str(mixed_warc), db=db)
    assert summary["records"] == 9
    assert summary["pages"] == 3  # two responses and the revisit
    assert summary["revisits"] == 1
    assert summary["articles_new"] == 2
    assert summary["captures_written"] == 3
    assert summary["errors"] == 0
    assert summary["skipped"] == {
        "warcinfo": 1,
        "request": 2,
        "metadata": 1,
        "resource": 1,
        "not_html": 1,
    }
    with Archive(db, readonly=True) as archive:
        articles = {a["canonical_url"]: a for a in archive.iter_articles()}
        assert set(articles) == {A_URL, B_URL}  # no article for the PNG, the rest, the revisit
        assert articles[A_URL]["title"] == "Harbour reopens after storm"
        assert articles[A_URL]["published_at"].startswith("2025-03-01T08:00:00")
        assert "The harbour reopened on Monday." in articles[A_URL]["body_text"]
        assert articles[A_URL]["last_seen_at"].startswith("2025-03-10T09:00:00")  # the revisit
        captures = rows(
            db,
            "SELECT url, fetched_at, source_file, warc_record_id, warc_offset, article_id, id "
            "FROM captures ORDER BY fetched_at",
        )
        assert [(c[0], c[1]) for c in captures] == [
            (A_URL, "2025-03-03T10:00:00.000000Z"),
            (B_URL, "2025-03-03T10:00:05.000000Z"),
            (A_URL, "2025-03-10T09:00:00.000000Z"),
        ]
        assert {c[2] for c in captures} == {str(mixed_warc.resolve())}
        assert all(c[3].startswith("<urn:uuid:") for c in captures)
        offsets = [c[4] for c in captures]
        assert offsets[0] > 0 and len(set(offsets)) == 3
        # the revisit is the original's body at its own date, for the same article
        assert captures[2][5] == captures[0][5] == articles[A_URL]["id"]
        assert archive.capture_body(captures[2][6]) == A_HTML
        run = archive.latest_run()
        assert run["finish_reason"] == "finished"
        assert run["stats"]["morgue/import/records"] == 9
    ((spider, args),) = rows(db, "SELECT spider, args FROM runs")
    assert spider == "import"
    assert json.loads(args)["start_urls"] == [str(mixed_warc.resolve())]


def test_offsets_point_at_the_records_they_came_from(mixed_warc: Path, tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    db = tmp_path / "a.db"
    run_import(str(mixed_warc), db=db)
    with mixed_warc.open("rb") as fh:
        for record_id, offset in rows(db, "SELECT warc_record_id, warc_offset FROM captures"):
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == record_id


def test_importing_the_same_file_again_adds_nothing(mixed_warc: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run_import(str(mixed_warc), db=db)
    before = table_counts(db)
    again = run_import(str(mixed_warc), db=db)
    assert table_counts(db) == before
    assert again["already_imported"] == 3
    assert again["pages"] == again["captures_written"] == again["articles_new"] == 0
    assert rows(db, "SELECT count(*) FROM runs")[0][0] == 2  # each import is a run


def test_a_wacz_a_folder_and_a_glob_import_the_same(mixed_warc: Path, tmp_path: Path) -> None:
    wacz = tmp_path / "bundle.wacz"
    with zipfile.ZipFile(wacz, "w") as zf:
        zf.write(mixed_warc, "archive/data.warc.gz")
        zf.writestr("datapackage.json", "{}")
        zf.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0"}\n')
    summary = run_import(str(wacz), db=tmp_path / "w.db")
    assert summary["articles_new"] == 2 and summary["errors"] == 0
    sources = rows(tmp_path / "w.db", "SELECT DISTINCT source_file FROM captures")
    assert sources == [(f"{wacz.resolve()}#archive/data.warc.gz",)]

    folder = tmp_path / "warcs"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "one.warc.gz").write_bytes(mixed_warc.read_bytes())
    (folder / "readme.txt").write_text("not a WARC")
    assert run_import(str(folder), db=tmp_path / "f.db")["articles_new"] == 2
    assert run_import(str(tmp_path / "*.warc.gz"), db=tmp_path / "g.db")["articles_new"] == 2


def test_an_uncompressed_warc_imports_with_parallel_extraction(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    write_warc(path, mixed_records, gzip=False)
    summary = run_import(str(path), db=tmp_path / "p.db", workers=2)
    assert summary["articles_new"] == 2 and summary["revisits"] == 1
    assert summary["errors"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.warc.gz"], "No such file or folder"),
        (["notes.txt"], "is not a .warc, .warc.gz or .wacz file"),
        (["empty"], "No .warc, .warc.gz or .wacz file under"),
        (["nothing-*.warc"], "No .warc, .warc.gz or .wacz file matches"),
        (["bad.wacz"], "is not a readable WACZ"),
    ],
)
def test_bad_paths_are_a_clean_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.wacz").write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["import", *args, "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_progress_counts_every_record_and_every_byte(mixed_warc: Path, tmp_path: Path) -> None:
    from crawler.warcimport import run_import as import_files

    seen = {"records": 0, "bytes": 0}

    def progress(records: int, read: int) -> None:
        seen["records"] += records
        seen["bytes"] += read

    report = import_files(
        [str(mixed_warc)],
        archive_path=str(tmp_path / "a.db"),
        settings={"EXTRACT_WORKERS": 0},
        progress=progress,
    )
    assert seen == {"records": 9, "bytes": mixed_warc.stat().st_size}
    assert report.count("import/bytes") == mixed_warc.stat().st_size


def test_the_progress_bar_draws_bytes_and_records(capsys: pytest.CaptureFixture[str]) -> None:
    from archive.cli.imports import _progress

    with _progress(1000, enabled=True) as advance:
        advance(3, 400)
        advance(2, 600)
    err = capsys.readouterr().err
    assert "5 records" in err and "import" in err
