"""Hostile WARC input is counted and recorded, never a crash (issue 18)."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from warc_helpers import SITE, article_html, response, write_warc

from archive.cli import cli
from crawler.warcimport import run_import as import_files

URLS = [SITE + f"news/story-{n}/" for n in range(3)]


def three_articles(writer: Any) -> list[Any]:
    return [
        response(
            writer,
            url,
            article_html(f"Story number {n} of three", f"Story {n} starts here."),
            date=f"2025-03-03T10:00:0{n}Z",
        )
        for n, url in enumerate(URLS)
    ]


def run_import(path: Path, db: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["import", str(path), "--db", str(db), "--json", "--workers", "0"]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    return json.loads(result.output)


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def archived_urls(db: Path) -> list[str]:
    return [r[0] for r in query(db, "SELECT canonical_url FROM articles ORDER BY canonical_url")]


def members(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of each gzip member, i.e. each record, with warcio."""
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        return [(it.get_record_offset(), it.get_record_length()) for _ in it]


def test_a_truncated_file_keeps_what_came_before_the_cut(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, three_articles)
    last_offset, last_length = members(whole)[-1]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: last_offset + last_length // 2])
    summary = run_import(cut, tmp_path / "a.db")
    assert archived_urls(tmp_path / "a.db") == URLS[:2]
    assert summary["errors"] == 1
    ((offset, error),) = query(tmp_path / "a.db", "SELECT warc_offset, error FROM import_errors")
    assert offset == last_offset and error


def test_a_corrupt_member_in_the_middle_skips_only_that_record(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, three_articles)
    data = bytearray(whole.read_bytes())
    offset, length = members(whole)[2]  # the second story (after the warcinfo)
    data[offset + 20 : offset + length - 20] = b"\xff" * (length - 40)
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    summary = run_import(bad, tmp_path / "a.db")
    assert archived_urls(tmp_path / "a.db") == [URLS[0], URLS[2]]
    assert summary["errors"] == 1
    assert query(tmp_path / "a.db", "SELECT warc_offset FROM import_errors") == [(offset,)]


def test_a_wrong_digest_is_recorded_and_the_record_not_imported(tmp_path: Path) -> None:
    plain = tmp_path / "plain.warc"
    write_warc(plain, three_articles, gzip=False)
    data = plain.read_bytes()
    # same length, other bytes: the first story's body no longer matches its digests
    tampered = data.replace(b"Story 0 starts here.", b"Story 0 STARTS HERE.", 1)
    assert tampered != data
    plain.write_bytes(tampered)
    summary = run_import(plain, tmp_path / "a.db")
    assert archived_urls(tmp_path / "a.db") == URLS[1:]
    assert summary["errors"] == 1
    ((uri, error),) = query(tmp_path / "a.db", "SELECT target_uri, error FROM import_errors")
    assert uri == URLS[0] and "digest" in error
    # a second import records nothing new
    run_import(plain, tmp_path / "a.db")
    assert query(tmp_path / "a.db", "SELECT count(*) FROM import_errors") == [(1,)]


def test_a_non_http_response_is_skipped(tmp_path: Path) -> None:
    def records(writer: Any) -> list[Any]:
        dns = writer.create_warc_record(
            "dns:127.0.0.1",
            "response",
            payload=io.BytesIO(b"20250303100000\n127.0.0.1 A 127.0.0.1\n"),
            length=37,
            warc_content_type="text/dns",
        )
        return [dns, *three_articles(writer)[:1]]

    path = tmp_path / "dns.warc.gz"
    write_warc(path, records)
    summary = run_import(path, tmp_path / "a.db")
    assert summary["skipped"]["not_http"] == 1
    assert summary["errors"] == 0
    assert archived_urls(tmp_path / "a.db") == URLS[:1]


class Zeros(io.RawIOBase):
    """``size`` bytes, made as they are read: a 50 MB payload never held in memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = b"\0" * count
        self.left -= count
        return count


def test_a_50_mb_payload_is_streamed_past_not_held(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024

    def records(writer: Any) -> list[Any]:
        big = response(
            writer,
            SITE + "video.bin",
            Zeros(size),
            length=size,
            content_type="application/octet-stream",
        )
        html = response(
            writer,
            SITE + "huge.html",
            Zeros(size),
            length=size,
            content_type="text/html",
        )
        return [big, html, *three_articles(writer)]

    path = tmp_path / "big.warc"
    # uncompressed and with known lengths: warcio writes it as a stream
    big = write_warc(path, records, gzip=False)
    assert path.stat().st_size > 2 * size
    assert len(big) == 6
    tracemalloc.start()
    try:
        report = import_files(
            [str(path)], archive_path=str(tmp_path / "a.db"), settings={"EXTRACT_WORKERS": 0}
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    summary = report.summary()
    assert summary["skipped"] == {"warcinfo": 1, "not_html": 1, "too_large": 1}
    assert summary["errors"] == 0
    assert archived_urls(tmp_path / "a.db") == URLS
    # the HTML one is read up to DOWNLOAD_MAXSIZE (10 MiB) + 1 and dropped; nothing near 50 MB
    assert peak < 24 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def test_a_warc_0_9_file_is_counted_not_a_crash(tmp_path: Path) -> None:
    plain = tmp_path / "v10.warc"
    write_warc(plain, three_articles, gzip=False)
    old = tmp_path / "old.warc"
    old.write_bytes(plain.read_bytes().replace(b"WARC/1.0\r\n", b"WARC/0.9\r\n"))
    summary = run_import(old, tmp_path / "a.db")
    assert summary["errors"] >= 1
    assert summary["captures_written"] == 0
    assert archived_urls(tmp_path / "a.db") == []
    errors = query(tmp_path / "a.db", "SELECT error FROM import_errors")
    assert errors and all(e[0] for e in errors)


def test_a_file_that_is_not_a_warc_at_all_is_one_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(gzip.compress(b"<html>not a warc</html>\n" * 100))
    summary = run_import(junk, tmp_path / "a.db")
    assert summary["errors"] == 1 and summary["pages"] == 0
