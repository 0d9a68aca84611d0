"""Crawl-time WARC (issue 18): a real ``scrapy crawl`` of the demo site on 127.0.0.1 with
WARC_DIR and a small WARC_MAX_BYTES; every file checked by warcio, rotation, the bytes as
fetched, revisits, the agreement with ``morgue export --format warc``, and replay by a
real pywb (``wb-manager``, ``wayback`` on 127.0.0.1) of the crawl's WARCs, the export
and the WACZ."""

from __future__ import annotations

import contextlib
import gzip
import subprocess
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import ProxyHandler, build_opener

import pytest
from click.testing import CliRunner
from crawl_helpers import scrapy_crawl
from redis_helpers import free_port
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from test_demo_site import JAPAN, JAPAN_ALIAS, SCHOOL, SCHOOL_REDIRECT
from warc_readback import Rec, ensure_pywb, read_warc, warcio_check
from warcio.archiveiterator import ArchiveIterator

from archive import Archive
from archive.errors import UsageError
from archive.export.wacz import export_wacz
from archive.export.warc import export_warc
from crawler.demo import DEMO_SEED_PATH, demo_site_root, serve_demo_site
from crawler.extensions.warcwriter import WarcWriterExtension
from crawler.middlewares.contentencoding import ContentEncodingNoteMiddleware

MAX_BYTES = 30_000
HTML = b"<html><body><p>" + b"squeezed " * 200 + b"</p></body></html>"


def site_file(path: str) -> bytes:
    return (demo_site_root() / path.strip("/") / "index.html").read_bytes()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo site crawled once, its WARC files rotating at 30 kB; the site stays up."""
    folder = tmp_path_factory.mktemp("warc-crawl")
    with serve_demo_site(port=0) as site:
        done = scrapy_crawl(
            "-a",
            f"start_urls={site.url(DEMO_SEED_PATH)}",
            archive=folder / "crawl.db",
            settings={"WARC_DIR": str(folder / "warc"), "WARC_MAX_BYTES": str(MAX_BYTES)},
        )
        assert done.returncode == 0, done.stderr[-3000:]
        files = sorted((folder / "warc").iterdir())
        yield {
            "folder": folder,
            "db": folder / "crawl.db",
            "files": files,
            "base": site.url("/").rstrip("/"),
            "records": {f: read_warc(f) for f in files},
            "log": done.stderr,
        }


def all_records(crawled: dict[str, Any]) -> list[Rec]:
    return [r for f in crawled["files"] for r in crawled["records"][f]]


def test_every_file_passes_warcio_check_and_rotation_closed_them(
    crawled: dict[str, Any],
) -> None:
    files: list[Path] = crawled["files"]
    assert len(files) >= 3, files
    assert all(f.name.endswith(".warc.gz") for f in files)  # none left .open
    check = warcio_check(*files)
    assert check.returncode == 0, check.stdout + check.stderr
    with Archive(crawled["db"], readonly=True) as archive:
        run_id = archive.latest_run()["id"]
        stats = archive.latest_run()["stats"]
    assert [f.name for f in files] == [
        f"morgue-{run_id}-{n:05d}.warc.gz" for n in range(1, len(files) + 1)
    ]
    assert stats["morgue/warc/files"] == len(files)
    assert stats["morgue/warc/bytes"] == sum(f.stat().st_size for f in files)
    for path in files:
        records = crawled["records"][path]
        assert records[0].type == "warcinfo"
        info = records[0].payload.decode()
        assert f"morgue-run-id: {run_id}\r\n" in info and "robots: obey\r\n" in info
        # a file is closed once it reaches the limit, never in the middle of a capture
        last_response = max(r.offset for r in records if r.type in ("response", "revisit"))
        assert last_response < MAX_BYTES
        assert records[-1].type == "metadata"
    assert all(f.stat().st_size >= MAX_BYTES for f in files[:-1])


def test_responses_are_written_as_fetched(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    records = all_records(crawled)
    responses = {r.uri: r for r in records if r.type == "response"}
    seed = responses[base + DEMO_SEED_PATH]
    assert seed.payload == site_file(DEMO_SEED_PATH)
    assert seed.status_line == "HTTP/1.1 200 OK"  # the protocol the server answered with
    assert seed.headers["WARC-IP-Address"] == "127.0.0.1"
    assert responses[base + "/robots.txt"].status_line.endswith("200 OK")
    redirect = responses[base + SCHOOL_REDIRECT]
    assert redirect.status_line.endswith("301 Moved Permanently")
    assert redirect.http_header("Location") in (base + SCHOOL, SCHOOL)
    ids = {r.headers["WARC-Record-ID"] for r in records if r.type in ("response", "revisit")}
    companions = [r for r in records if r.type in ("request", "metadata")]
    assert len(companions) == 2 * len(ids)
    assert {r.headers["WARC-Concurrent-To"] for r in companions} == ids
    request = next(
        r
        for r in records
        if r.type == "request" and r.headers["WARC-Concurrent-To"] == seed.headers["WARC-Record-ID"]
    )
    assert request.status_line.startswith(f"GET {DEMO_SEED_PATH} HTTP/1.1")
    assert (request.http_header("User-Agent") or "").startswith("morgue/")
    assert request.http_header("Host") == base.removeprefix("http://")


def test_the_alias_pair_is_one_response_and_one_revisit(crawled: dict[str, Any]) -> None:
    base = crawled["base"]
    records = all_records(crawled)
    pair = {base + JAPAN, base + JAPAN_ALIAS}
    kinds = sorted(r.type for r in records if r.uri in pair and r.type != "request")
    assert kinds == ["metadata", "metadata", "response", "revisit"]
    original = next(r for r in records if r.uri in pair and r.type == "response")
    revisit = next(r for r in records if r.uri in pair and r.type == "revisit")
    assert revisit.headers["WARC-Refers-To"] == original.headers["WARC-Record-ID"]
    assert revisit.headers["WARC-Refers-To-Target-URI"] == original.uri
    assert revisit.headers["WARC-Payload-Digest"] == original.headers["WARC-Payload-Digest"]


def test_export_of_the_crawl_agrees_with_the_crawl_time_warc(
    crawled: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "export.warc.gz"
    with Archive(crawled["db"], readonly=True) as archive:
        done = export_warc(archive, out)
    assert warcio_check(out).returncode == 0
    exported = read_warc(out)
    crawl_digests = {
        r.uri: r.headers["WARC-Payload-Digest"]
        for r in all_records(crawled)
        if r.type in ("response", "revisit")
    }
    served = [r for r in exported if r.type in ("response", "revisit")]
    assert len(served) == done.counts.responses + done.counts.revisits >= 18
    for record in served:
        assert crawl_digests[record.uri] == record.headers["WARC-Payload-Digest"], record.uri
    assert done.counts.revisits == 1


# -- pywb -----------------------------------------------------------------------------------


@contextlib.contextmanager
def wayback(bin_dir: Path, root: Path) -> Iterator[str]:
    port = free_port()
    log = root / "wayback.log"
    with log.open("w") as log_handle:
        process = subprocess.Popen(
            [str(bin_dir / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
            cwd=root,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"wayback did not start: {log.read_text()}") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def fetch(url: str) -> tuple[int, bytes]:
    opener = build_opener(ProxyHandler({}))  # 127.0.0.1 only, never a proxy
    try:
        with opener.open(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_pywb_replays_the_demo_article_with_its_original_bytes(
    crawled: dict[str, Any], tmp_path: Path
) -> None:
    bin_dir = ensure_pywb()
    if isinstance(bin_dir, str):
        pytest.skip(f"pywb could not be installed from PyPI: {bin_dir}")
    export = tmp_path / "export.warc.gz"
    package = tmp_path / "export.wacz"
    with Archive(crawled["db"], readonly=True) as archive:
        export_warc(archive, export)
        export_wacz(archive, package)
    root = tmp_path / "pywb"
    root.mkdir()

    def manager(*args: str) -> None:
        done = subprocess.run(
            [str(bin_dir / "wb-manager"), *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    for coll in ("crawl", "export", "wacz"):
        manager("init", coll)
    manager("add", "crawl", *map(str, crawled["files"]))
    manager("add", "export", str(export))
    manager("add", "--unpack-wacz", "wacz", str(package))
    base = crawled["base"]
    with wayback(bin_dir, root) as server:
        for coll in ("crawl", "export", "wacz"):
            status, body = fetch(f"{server}/{coll}/2100id_/{base}{DEMO_SEED_PATH}")
            assert status == 200, (coll, body[:300])
            assert body == site_file(DEMO_SEED_PATH), coll
            # a revisit resolves to its original's payload
            for path in (JAPAN, JAPAN_ALIAS):
                status, body = fetch(f"{server}/{coll}/2100id_/{base}{path}")
                assert (status, body) == (200, site_file(JAPAN)), (coll, path)
            # a page never crawled is not made up
            status, _ = fetch(f"{server}/{coll}/2100id_/{base}/never-crawled/")
            assert status == 404


# -- the extension and the middleware, without a crawl ---------------------------------------


def test_a_gzip_response_is_written_as_it_came(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"WARC_DIR": str(tmp_path / "w")})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    crawler.stats.set_value("morgue/run_id", "run-x")  # type: ignore[union-attr]
    extension = WarcWriterExtension.from_crawler(crawler)
    body = gzip.compress(HTML)
    response = Response(
        "https://site.example/page/",
        status=200,
        headers={"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"},
        body=body,
    )
    request = Request("https://site.example/page/", meta={"depth": 2, "reached_by": "related"})
    extension.response_downloaded(response, request)
    extension.response_downloaded(response.replace(url="https://site.example/copy/"), request)
    extension.spider_closed()
    (path,) = (tmp_path / "w").iterdir()
    assert path.name == "morgue-run-x-00001.warc.gz"
    records = read_warc(path)
    response_record = records[1]
    assert response_record.payload == body  # the wire bytes
    assert response_record.http_header("Content-Encoding") == "gzip"
    assert response_record.http_header("X-Crawler-Transfer-Encoding") == "chunked"
    assert response_record.http_header("Transfer-Encoding") is None
    assert [r.type for r in records] == [
        "warcinfo",
        "response",
        "request",
        "metadata",
        "revisit",
        "request",
        "metadata",
    ]
    assert "morgue-depth: 2\r\nmorgue-reached-by: related\r\n" in records[3].payload.decode()
    with path.open("rb") as handle:  # a reader undoes the Content-Encoding
        decoded = [r.content_stream().read() for r in ArchiveIterator(handle)]
    assert decoded[1] == HTML


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), ValueError("bug")])
def test_a_failing_writer_stops_the_warc_not_the_crawl(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    crawler = get_crawler(settings_dict={"WARC_DIR": str(tmp_path / "w")})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    extension = WarcWriterExtension.from_crawler(crawler)

    def broken(self: object) -> None:
        raise error

    monkeypatch.setattr("crawler.extensions.warcwriter.RotatingWarc.current", broken)
    for n in range(100):  # more than the queue holds: the reactor must never wait for ever
        url = f"https://site.example/{n}/"
        extension.response_downloaded(Response(url, body=HTML), Request(url))
    extension.spider_closed()
    assert crawler.stats.get_value("morgue/warc/write_errors") == 1  # type: ignore[union-attr]
    assert "no more WARC records this run" in caplog.text
    assert not list((tmp_path / "w").iterdir())


@pytest.mark.parametrize("bad", ["file", "zero"])
def test_bad_warc_settings_stop_the_crawl_before_it_starts(tmp_path: Path, bad: str) -> None:
    (tmp_path / "file").write_text("not a folder")
    settings = {"WARC_DIR": str(tmp_path / "file" / "sub")}
    if bad == "zero":
        settings = {"WARC_DIR": str(tmp_path / "w"), "WARC_MAX_BYTES": "0"}
    with pytest.raises(UsageError, match="WARC_"):
        WarcWriterExtension.from_crawler(get_crawler(settings_dict=settings))


def test_the_decoded_content_encoding_is_named_in_the_stored_headers() -> None:
    request = Request("https://site.example/page/")
    response = HtmlResponse(
        request.url,
        headers={"Content-Encoding": "gzip", "Content-Length": "40"},
        body=gzip.compress(HTML),
        request=request,
    )
    noted = ContentEncodingNoteMiddleware().process_response(request, response)
    crawler = get_crawler()
    decoded = HttpCompressionMiddleware.from_crawler(crawler).process_response(request, noted)
    assert isinstance(decoded, Response)
    assert decoded.body == HTML
    assert decoded.headers.get("X-Crawler-Content-Encoding") == b"gzip"
    assert decoded.headers.get("Content-Encoding") is None
    plain = HtmlResponse(request.url, body=HTML, request=request)
    assert b"X-Crawler-Content-Encoding" not in (
        ContentEncodingNoteMiddleware().process_response(request, plain).headers
    )


def test_morgue_crawl_warc_sets_warc_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import archive.cli as cli_module
    import archive.cli.crawl as crawl_module

    seen: dict[str, Any] = {}

    def fake_run(
        seeds: list[str], db: str, args: dict[str, str], settings: dict[str, Any], **kw: Any
    ) -> None:
        seen.update(settings)
        raise UsageError("stop here")

    monkeypatch.setattr(crawl_module, "_run_crawl", fake_run)
    result = CliRunner().invoke(
        cli_module.cli,
        [
            "crawl",
            "https://site.example/",
            "--warc",
            str(tmp_path / "w"),
            "--db",
            str(tmp_path / "a.db"),
        ],
    )
    assert "stop here" in result.output
    assert seen["WARC_DIR"] == str(tmp_path / "w")


def test_without_warc_dir_the_writer_is_off_and_says_nothing() -> None:
    """A crawl without WARC_DIR (the default) gets no 'Disabled …' warning in its log:
    Scrapy warns for a NotConfigured that carries a message, so this one carries none."""
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawler.extensions.warcwriter import WarcWriterExtension

    with pytest.raises(NotConfigured) as raised:
        WarcWriterExtension.from_crawler(get_crawler(settings_dict={"WARC_DIR": ""}))
    assert raised.value.args == ()
