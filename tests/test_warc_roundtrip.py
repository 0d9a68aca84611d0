"""Round trip (issue 18): crawl the demo site, write its captures as a WARC, import it into
a new archive; the import gives the same articles as the crawl.

The WARC is written here with warcio from the crawled archive's captures (as
``morgue export --format warc`` would), so this test does not depend on the exporter.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from crawl_helpers import scrapy_crawl
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import Archive
from archive.cli import cli
from crawler.demo import DEMO_SEED_PATH
from crawler.demo.server import SiteServer

FIELDS = ("id", "canonical_url", "title", "body_text", "published_at", "authors", "pages")


def write_captures_as_warc(db: Path, out: Path) -> int:
    """Every 2xx capture with a body as a WARC/1.1 response record; how many."""
    written = 0
    with Archive(db, readonly=True) as archive, out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        captures = archive.query(
            "SELECT id, url, final_url, status, fetched_at, headers FROM captures "
            "WHERE body IS NOT NULL AND status BETWEEN 200 AND 299 ORDER BY fetched_at"
        )
        for row in captures:
            body = archive.capture_body(row["id"])
            headers = json.loads(row["headers"]) if isinstance(row["headers"], str) else {}
            http = StatusAndHeaders(
                f"{row['status']} OK", list(headers.items()), protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                row["final_url"] or row["url"],
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": row["fetched_at"]},
            )
            writer.write_record(record)
            written += 1
    return written


def articles(db: Path) -> dict[str, dict[str, Any]]:
    with Archive(db, readonly=True) as archive:
        return {a["id"]: {f: a[f] for f in FIELDS} for a in archive.iter_articles()}


def test_a_crawl_written_as_warc_imports_to_the_same_articles(
    demo_site: SiteServer, tmp_path: Path
) -> None:
    crawled = tmp_path / "crawled.db"
    result = scrapy_crawl("-a", f"start_urls={demo_site.url(DEMO_SEED_PATH)}", archive=crawled)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = articles(crawled)
    assert len(expected) >= 5, result.stderr[-3000:]  # the demo's articles, not only the seed

    warc = tmp_path / "crawl.warc.gz"
    assert write_captures_as_warc(crawled, warc) > len(expected) - 1

    imported = tmp_path / "imported.db"
    outcome = CliRunner().invoke(cli, ["import", str(warc), "--db", str(imported), "--json"])
    assert outcome.exit_code == 0, outcome.output + repr(outcome.exception)
    summary = json.loads(outcome.output)
    assert summary["errors"] == 0
    got = articles(imported)
    assert set(got) == set(expected)
    for article_id, fields in expected.items():
        assert got[article_id] == fields, article_id
    # every capture kept where it came from, at the crawl's own fetch time
    with Archive(crawled, readonly=True) as archive:
        fetched = {r["fetched_at"] for r in archive.query("SELECT fetched_at FROM captures")}
    with Archive(imported, readonly=True) as archive:
        rows = archive.query("SELECT fetched_at, source_file, warc_offset FROM captures")
    assert {r["fetched_at"] for r in rows} <= fetched
    assert {r["source_file"] for r in rows} == {str(warc.resolve())}
