"""morgue export --format warc|wacz (issue 18): records per capture, digests, revisits,
failed requests, decoded bodies, filters, the WACZ and its index, flat memory, errors."""

from __future__ import annotations

import gzip
import json
import sqlite3
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_archive import A, B, C, D, build
from warc_readback import BIN, Rec, read_warc, warcio_check

from archive import Archive, CrawlArchive
from archive.cli import cli
from archive.errors import UsageError
from archive.export.cdxj import CdxjSorter, timestamp14
from archive.export.wacz import export_wacz
from archive.export.warc import export_warc
from archive.filters import ArticleFilter
from archive.warcfile import as_kept_headers, record_id, status_line, warc_date
from pipelines.core.records import Capture, PageWrite

PAGE = b"<html><head><title>Same page</title></head><body>" + b"x" * 3000 + b"</body></html>"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build(tmp_path / "archive.db")


def by_type(records: list[Rec], kind: str) -> list[Rec]:
    return [r for r in records if r.type == kind]


def export_records(db: str, tmp_path: Path, **filters: str) -> tuple[list[Rec], Path]:
    out = tmp_path / "out.warc.gz"
    with Archive(db, readonly=True) as archive:
        export_warc(archive, out, filters=ArticleFilter(**filters))
    return read_warc(out), out


# -- pure parts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "length", "expected"),
    [
        # as received: nothing to say
        ([("content-length", "5")], 5, [("content-length", "5")]),
        # Scrapy decoded gzip: the length of the wire body moves aside, the true one follows
        (
            [("content-length", "3"), ("x-crawler-content-encoding", "gzip")],
            5,
            [
                ("X-Crawler-Content-Length", "3"),
                ("Content-Length", "5"),
                ("x-crawler-content-encoding", "gzip"),
            ],
        ),
        # the client removed the chunking
        (
            [("Transfer-Encoding", "chunked")],
            5,
            [("X-Crawler-Transfer-Encoding", "chunked")],
        ),
        # an encoding Scrapy could not decode stays: the body is still encoded
        (
            [("content-encoding", "x-custom"), ("content-length", "5")],
            5,
            [("content-encoding", "x-custom"), ("content-length", "5")],
        ),
        ([], 0, []),
        # a line break inside a value would end the header block: flattened
        ([("x-odd", "a\r\nInjected: yes")], 0, [("x-odd", "a  Injected: yes")]),
    ],
)
def test_headers_as_kept(
    headers: list[tuple[str, str]], length: int, expected: list[tuple[str, str]]
) -> None:
    assert as_kept_headers(headers, length) == expected


@pytest.mark.parametrize(
    ("status", "line"),
    [(200, "HTTP/1.1 200 OK"), (404, "HTTP/1.1 404 Not Found"), (599, "HTTP/1.1 599")],
)
def test_status_line(status: int, line: str) -> None:
    assert status_line(status) == line


@pytest.mark.parametrize(
    ("stored", "warc", "ts"),
    [
        ("2025-03-03T10:00:00.000000Z", "2025-03-03T10:00:00.000000Z", "20250303100000"),
        ("2025-03-03T10:00:00Z", "2025-03-03T10:00:00Z", "20250303100000"),
        ("2025-03-03T10:00:00+00:00", "2025-03-03T10:00:00Z", "20250303100000"),
        ("2025-03-03 10:00:00", "2025-03-03T10:00:00Z", "20250303100000"),
    ],
)
def test_dates(stored: str, warc: str, ts: str) -> None:
    assert warc_date(stored) == warc
    assert timestamp14(warc_date(stored)) == ts


@pytest.mark.parametrize("run_lines", [1, 2, 3, 1000])
def test_cdxj_sorter_merges_runs_from_disk(tmp_path: Path, run_lines: int) -> None:
    lines = [f"key{n % 7},{n} 2025 {{}}\n" for n in range(20)]
    sorter = CdxjSorter(tmp_path, run_lines=run_lines)
    for line in lines:
        sorter.add(line)
    assert sorter.write(tmp_path / "index.cdx") == 20
    assert (tmp_path / "index.cdx").read_text().splitlines(keepends=True) == sorted(lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.cdx"]  # runs removed


# -- the export of the research archive --------------------------------------------------


def test_every_capture_has_response_request_and_metadata(db: str, tmp_path: Path) -> None:
    records, out = export_records(db, tmp_path)
    check = warcio_check(out)
    assert check.returncode == 0, check.stdout + check.stderr
    assert records[0].type == "warcinfo"
    assert [r.type for r in records[1:4]] == ["response", "request", "metadata"]
    responses = by_type(records, "response")
    assert {r.uri for r in responses} == {a.canonical_url for a in (A, B, C, D)}
    with Archive(db, readonly=True) as archive:
        for article in (A, B, C, D):
            row = archive.get_article(article.id)
            capture = archive.get_capture(row["capture_id"])
            response = next(r for r in responses if r.uri == article.canonical_url)
            assert response.payload == archive.capture_body(capture["id"])
            assert response.headers["WARC-Date"] == capture["fetched_at"]
            assert response.headers["WARC-Record-ID"] == record_id(capture["id"], "response")
            assert response.headers["WARC-Payload-Digest"].startswith("sha1:")
            assert response.headers["WARC-Block-Digest"].startswith("sha1:")
            assert response.status_line == "HTTP/1.1 200 OK"
            request = next(
                r
                for r in by_type(records, "request")
                if r.headers["WARC-Concurrent-To"] == response.headers["WARC-Record-ID"]
            )
            assert request.uri == article.canonical_url
            meta = next(
                r
                for r in by_type(records, "metadata")
                if r.headers.get("WARC-Concurrent-To") == response.headers["WARC-Record-ID"]
            )
            fields = meta.payload.decode()
            assert f"morgue-article-id: {article.id}\r\n" in fields
            assert "morgue-run-id: run-1\r\n" in fields
            assert f"morgue-capture-id: {capture['id']}\r\n" in fields
            assert f"morgue-requested-url: {article.url}\r\n" in fields


def test_warcinfo_names_software_robots_and_run(db: str, tmp_path: Path) -> None:
    records, _ = export_records(db, tmp_path)
    info = records[0].payload.decode()
    assert "software: morgue/" in info and "warcio/" in info
    assert "format: WARC File Format 1.1\r\n" in info
    assert "robots: obey\r\n" in info  # the run recorded no ROBOTSTXT_OBEY=False
    assert "morgue-run: run-1 spider=articles started=2025-05-01T00:00:00Z" in info
    assert records[0].headers["WARC-Filename"] == "out.warc.gz"


def test_failed_request_is_one_metadata_record(db: str, tmp_path: Path) -> None:
    records, _ = export_records(db, tmp_path)
    gone = [r for r in records if r.uri == "https://coastline.example/gone/"]
    assert [r.type for r in gone] == ["metadata"]
    fields = gone[0].payload.decode()
    assert "morgue-status: 0 (no response)\r\n" in fields
    assert "morgue-error: TimeoutError: took too long\r\n" in fields
    assert "WARC-Concurrent-To" not in gone[0].headers
    assert len(by_type(records, "response")) == 4 and len(by_type(records, "request")) == 4


def test_cli_counts_what_it_wrote(db: str, tmp_path: Path) -> None:
    out = tmp_path / "all.warc.gz"
    result = run("export", "--format", "warc", "--out", str(out), "--db", db)
    assert result.exit_code == 0, result.output
    assert (
        "Exported 5 captures to " + str(out) + ": 4 responses, 0 revisits, 4 requests, "
        "5 metadata, 1 failed requests as metadata only"
    ) in result.stderr
    assert not list(tmp_path.glob("*.part"))


def test_filters_pick_the_captures_of_their_articles(db: str, tmp_path: Path) -> None:
    records, _ = export_records(db, tmp_path, site="other.example")
    assert {r.uri for r in by_type(records, "response")} == {C.canonical_url, D.canonical_url}
    assert not [r for r in records if "coastline" in r.uri]  # nor the failure (no article)
    records, _ = export_records(db, tmp_path, since="2025-03-02", until="2025-03-31")
    assert {r.uri for r in by_type(records, "response")} == {B.canonical_url}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "warc"], "give --out FILE.warc.gz"),
        (["--format", "wacz", "--out", "-"], "give --out FILE.wacz"),
        (["--format", "warc", "--out", "x.warc.gz", "--table", "blocks"], "not a --table"),
        (["--format", "wacz", "--out", "x.wacz", "--excel-safe"], "--excel-safe is for CSV"),
        (["--format", "warc", "--out", "/nonexistent/x.warc.gz"], "no folder /nonexistent"),
        (["--format", "wacz", "--out", "/nonexistent/x.wacz"], "no folder /nonexistent"),
    ],
)
def test_cli_errors(db: str, args: list[str], message: str) -> None:
    result = run("export", *args, "--db", db)
    assert result.exit_code == (1 if "nonexistent" in message else UsageError.exit_code)
    assert message in result.output
    assert "Traceback" not in result.output


# -- revisits and decoded bodies -----------------------------------------------------------


@pytest.fixture
def same_payload_db(tmp_path: Path) -> str:
    """One page fetched at three URLs (the second and third identical to the first), a
    page whose gzip Scrapy decoded, and an empty 204."""
    path = tmp_path / "same.db"
    with CrawlArchive(path) as archive:
        archive.start_run(
            "run-2",
            spider="articles",
            args={},
            settings={"ROBOTSTXT_OBEY": False, "USER_AGENT": "morgue-test/1"},
            started_at="2025-06-01T00:00:00Z",
        )
        captures = [
            Capture(
                url=f"https://site.example/{slug}/",
                final_url=f"https://site.example/{slug}/",
                status=200,
                run_id="run-2",
                fetched_at=f"2025-06-01T10:00:0{i}.000000Z",
                headers={"content-type": "text/html; charset=utf-8"},
                body=PAGE,
                referrer="https://site.example/" if i else None,
            )
            for i, slug in enumerate(["first", "alias", "again"])
        ]
        captures.append(
            Capture(
                url="https://site.example/gz/",
                final_url="https://site.example/gz/",
                status=200,
                run_id="run-2",
                fetched_at="2025-06-01T10:00:05.000000Z",
                headers={
                    "content-type": "text/html",
                    "content-length": str(len(gzip.compress(b"<p>zipped</p>"))),
                    "x-crawler-content-encoding": "gzip",
                },
                body=b"<p>zipped</p>",
            )
        )
        for n in (6, 7):
            captures.append(
                Capture(
                    url=f"https://site.example/empty{n}/",
                    final_url=f"https://site.example/empty{n}/",
                    status=204,
                    run_id="run-2",
                    fetched_at=f"2025-06-01T10:00:0{n}.000000Z",
                )
            )
        archive.save_batch([PageWrite(c) for c in captures])
    return str(path)


def test_identical_payloads_become_revisits(same_payload_db: str, tmp_path: Path) -> None:
    records, out = export_records(same_payload_db, tmp_path)
    assert warcio_check(out).returncode == 0
    first = next(r for r in by_type(records, "response") if r.uri.endswith("/first/"))
    revisits = by_type(records, "revisit")
    assert [r.uri for r in revisits] == [
        "https://site.example/alias/",
        "https://site.example/again/",
    ]
    for revisit in revisits:
        assert revisit.headers["WARC-Profile"] == (
            "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        )
        assert revisit.headers["WARC-Refers-To"] == first.headers["WARC-Record-ID"]
        assert revisit.headers["WARC-Refers-To-Target-URI"] == "https://site.example/first/"
        assert revisit.headers["WARC-Refers-To-Date"] == first.headers["WARC-Date"]
        assert revisit.headers["WARC-Payload-Digest"] == first.headers["WARC-Payload-Digest"]
        assert revisit.payload == b""  # headers only
        assert revisit.status_line == "HTTP/1.1 200 OK"
    # two empty 204s share no payload: both are responses
    empties = [r for r in records if "/empty" in r.uri and r.type in ("response", "revisit")]
    assert [r.type for r in empties] == ["response", "response"]


def test_a_filter_without_the_original_writes_the_copy_as_a_response(
    same_payload_db: str, tmp_path: Path
) -> None:
    """The revisit's original must be in the same export: without it, the next copy is
    written whole and the one after refers to it."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(Path(same_payload_db).read_bytes())
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("DELETE FROM captures WHERE url LIKE '%/first/'")
    conn.close()
    out = tmp_path / "part.warc.gz"
    with Archive(copy, readonly=True) as archive:
        export_warc(archive, out)
    records = read_warc(out)
    assert next(r.uri for r in by_type(records, "response")) == "https://site.example/alias/"
    assert by_type(records, "revisit")[0].headers["WARC-Refers-To-Target-URI"] == (
        "https://site.example/alias/"
    )


def test_a_decoded_body_says_so(same_payload_db: str, tmp_path: Path) -> None:
    records, _ = export_records(same_payload_db, tmp_path)
    response = next(r for r in by_type(records, "response") if r.uri.endswith("/gz/"))
    assert response.payload == b"<p>zipped</p>"
    assert response.http_header("X-Crawler-Content-Encoding") == "gzip"
    assert response.http_header("X-Crawler-Content-Length") == str(
        len(gzip.compress(b"<p>zipped</p>"))
    )
    assert response.http_header("Content-Length") == str(len(b"<p>zipped</p>"))
    assert response.http_header("Content-Encoding") is None  # nothing to decode on replay


def test_request_records_carry_what_the_archive_knows(same_payload_db: str, tmp_path: Path) -> None:
    records, _ = export_records(same_payload_db, tmp_path)
    request = next(r for r in by_type(records, "request") if r.uri.endswith("/alias/"))
    assert request.status_line.startswith("GET /alias/ HTTP/1.1")
    assert request.http[0] == ("Host", "site.example")
    assert request.http_header("User-Agent") == "morgue-test/1"
    assert request.http_header("Referer") == "https://site.example/"
    assert "robots: ignore\r\n" in records[0].payload.decode()


# -- WACZ ------------------------------------------------------------------------------------


def test_wacz_validates_and_indexes_like_cdxj_indexer(
    same_payload_db: str, db: str, tmp_path: Path
) -> None:
    out = tmp_path / "archive.export.wacz"
    result = run("export", "--format", "wacz", "--out", str(out), "--db", db)
    assert result.exit_code == 0, result.output
    assert "4 pages, 4 index lines" in result.stderr
    check = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "the passed WACZ is valid" in check.stdout
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names == [
            "archive/data.warc.gz",
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        ]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        zf.extract("archive/data.warc.gz", tmp_path)
        index = zf.read("indexes/index.cdx").decode()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
        package = json.loads(zf.read("datapackage.json"))
    reference = subprocess.run(
        [str(BIN / "cdxj-indexer"), "--sort", "data.warc.gz"],
        cwd=tmp_path / "archive",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert index == reference
    assert pages[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert {(p["url"], p["title"]) for p in pages[1:]} == {
        (a.canonical_url, a.title) for a in (A, B, C, D)
    }
    assert package["wacz_version"] == "1.1.1"
    assert package["mainPageUrl"] == A.canonical_url
    assert {r["path"] for r in package["resources"]} == set(names[:3])


def test_wacz_of_revisits_validates(same_payload_db: str, tmp_path: Path) -> None:
    with Archive(same_payload_db, readonly=True) as archive:
        done = export_wacz(archive, tmp_path / "s.wacz")
    assert done.counts.revisits == 2 and done.index_lines == 6
    check = subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(tmp_path / "s.wacz")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    with zipfile.ZipFile(tmp_path / "s.wacz") as zf:
        lines = zf.read("indexes/index.cdx").decode().splitlines()
    assert sum('"mime": "warc/revisit"' in line for line in lines) == 2
    assert not list(tmp_path.glob(".s.wacz-*"))  # the work folder is gone


# -- memory --------------------------------------------------------------------------------


def test_export_memory_stays_flat(tmp_path: Path) -> None:
    """240 captures of 128 KiB (30 MiB of bodies): the export holds about one at a time."""
    path = tmp_path / "big.db"
    with CrawlArchive(path) as archive:
        archive.start_run("r", spider="articles", args={}, settings={}, started_at="2025-01-01")
        for start in range(0, 240, 40):
            archive.save_batch(
                [
                    PageWrite(
                        Capture(
                            url=f"https://big.example/{i}/",
                            final_url=f"https://big.example/{i}/",
                            status=200,
                            run_id="r",
                            fetched_at=f"2025-01-01T00:00:00.{i:06d}Z",
                            body=(f"<p>{i}</p>".encode() * 30000)[: 128 * 1024],
                        )
                    )
                    for i in range(start, start + 40)
                ]
            )
    with Archive(path, readonly=True) as archive:
        tracemalloc.start()
        try:
            done = export_warc(archive, tmp_path / "big.warc.gz")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert done.counts.responses == 240 and done.counts.revisits == 0
    assert peak < 8 * 128 * 1024, f"export held {peak} bytes of Python objects at once"
