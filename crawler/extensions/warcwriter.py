"""Crawl-time web archive: every response as it is downloaded, into rotating WARC files.

Enabled by ``WARC_DIR`` (``-s WARC_DIR=DIR``, ``morgue crawl --warc DIR``). The
extension listens to Scrapy's ``response_downloaded`` signal, sent by the downloader
before any downloader middleware has touched the response, so the record holds the
body as it crossed the wire (still gzip or brotli if the server encoded it) and the
headers as sent; only ``Transfer-Encoding`` is renamed ``X-Crawler-Transfer-Encoding``,
the HTTP client having removed the chunking. Redirects, robots.txt, sitemaps, feeds
and error pages are written too: a WARC records what was fetched.

Per response: a ``response`` record (or, when the same payload was written earlier in
the run, a ``revisit`` naming it; the last :data:`REVISIT_MEMORY` payloads are
remembered), the ``request`` as sent, and a ``metadata`` record with the run ID, depth
and how the page was reached. Each file starts with a ``warcinfo`` record.

Files are ``WARC_DIR/morgue-<run id>-<serial>.warc.gz``, written as ``….warc.gz.open``
and renamed when full (``WARC_MAX_BYTES``, default 1 GB) or when the crawl ends, so a
file without ``.open`` is complete; a killed crawl leaves its last file ``.open``,
whole up to its last complete record. Requests that got no response, and responses a
resumed crawl replays from the archive, are not written (they are ``captures`` rows).
The records are written on a thread of their own (gzip and sha1 release the GIL), so
the reactor only copies each response into a bounded queue (bench/warc.py). A write error
(disk full) is logged, counted in ``morgue/warc/write_errors`` and stops the WARC
writing; the crawl and the SQLite archive go on.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import queue
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.errors import UsageError
from archive.export.warc import CONFORMS_TO, now_iso, software
from archive.warcfile import WarcFile, new_record_id, raw_headers, warc_date

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1_000_000_000
#: Payload digests remembered for revisit records (about 150 bytes each).
REVISIT_MEMORY = 100_000
#: Responses waiting for the writer thread, at most (then the reactor waits).
QUEUE_RESPONSES = 32


class RotatingWarc:
    """WARC files in ``folder`` named for ``run_id``, a new one past ``max_bytes``."""

    def __init__(
        self,
        folder: Path,
        run_id: str,
        *,
        max_bytes: int,
        info: list[tuple[str, str | int | None]],
    ) -> None:
        self.folder = folder
        self.run_id = run_id
        self.max_bytes = max_bytes
        self.info = info
        self.serial = 0
        self.files: list[Path] = []
        self.bytes = 0
        self._handle: BinaryIO | None = None
        self._warc: WarcFile | None = None
        self._path: Path | None = None

    def current(self) -> WarcFile:
        if self._warc is None:
            self.serial += 1
            name = f"morgue-{self.run_id}-{self.serial:05d}.warc.gz"
            self._path = self.folder / name
            self._handle = (self.folder / f"{name}.open").open("wb")
            self._warc = WarcFile(self._handle, filename=name)
            written = self._warc.warcinfo(self.info, date=warc_date(now_iso()))
            self.bytes += written.length
        return self._warc

    def after_write(self) -> None:
        """Close the file once it holds ``max_bytes`` (a capture never spans two files)."""
        if self._warc is not None and self._warc.position >= self.max_bytes:
            self.close()

    def close(self) -> None:
        if self._handle is None or self._path is None:
            return
        self._handle.close()
        os.replace(self._path.with_name(self._path.name + ".open"), self._path)
        self.files.append(self._path)
        self._handle = None
        self._warc = None
        self._path = None


@dataclass(frozen=True)
class Fetched:
    """What the records of one response need, copied off the Scrapy objects."""

    date: str
    url: str
    status: int
    protocol: str
    headers: list[tuple[str, str]]
    body: bytes
    ip_address: str | None
    request_url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    depth: int | None
    reached_by: str | None
    referrer: str | None


class WarcWriterExtension:
    """Copies each downloaded response on the reactor thread (cheap) and writes its records
    on a writer thread of its own: gzip and sha1 release the GIL, so the reactor, the
    crawl's bottleneck, does not pay for them (bench/warc.py). The hand-over queue holds
    at most :data:`QUEUE_RESPONSES`; a full queue makes the reactor wait (flat memory)."""

    def __init__(self, crawler: Crawler, folder: Path, max_bytes: int) -> None:
        self.crawler = crawler
        self.folder = folder
        self.max_bytes = max_bytes
        self.stats: StatsCollector | None = crawler.stats
        self._files: RotatingWarc | None = None
        self._payloads: OrderedDict[str, tuple[str, str, str]] = OrderedDict()
        self._broken = False
        self._queue: queue.Queue[Fetched | None] = queue.Queue(maxsize=QUEUE_RESPONSES)
        self._thread: threading.Thread | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriterExtension:
        folder = crawler.settings.get("WARC_DIR")
        if not folder:  # off by default: no message, so Scrapy logs no warning for it
            raise NotConfigured
        try:
            import warcio  # noqa: F401
        except ImportError:
            raise UsageError("WARC_DIR needs warcio: pip install 'morgue[warc]'.") from None
        max_bytes = crawler.settings.getint("WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        if max_bytes <= 0:
            raise UsageError(f"WARC_MAX_BYTES must be a positive size in bytes, not {max_bytes}.")
        path = Path(str(folder))
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"Cannot create WARC_DIR {path}: {exc.strerror or exc}.") from exc
        if not os.access(path, os.W_OK):
            raise UsageError(f"WARC_DIR {path} is not writable.")
        extension = cls(crawler, path, max_bytes)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    # -- signals (the reactor thread) ----------------------------------------------
    def response_downloaded(self, response: Response, request: Request) -> None:
        if self._broken:
            return
        if self._thread is None:
            self._files = self._rotating()
            self._thread = threading.Thread(target=self._drain, name="morgue-warc", daemon=True)
            self._thread.start()
        meta = request.meta
        ip_address = getattr(response, "ip_address", None)
        self._queue.put(
            Fetched(
                date=warc_date(now_iso()),
                url=response.url,
                status=response.status,
                protocol=getattr(response, "protocol", None) or "HTTP/1.1",
                headers=raw_headers(_pairs(response.headers)),
                body=response.body,
                ip_address=str(ip_address) if ip_address is not None else None,
                request_url=request.url,
                method=request.method,
                request_headers=_pairs(request.headers),
                request_body=request.body or b"",
                depth=meta.get("depth"),
                reached_by=meta.get("reached_by"),
                referrer=_text(request.headers.get("Referer")),
            )
        )

    def spider_closed(self) -> None:
        if self._thread is None or self._files is None:
            return
        self._queue.put(None)
        self._thread.join()
        try:
            self._files.close()
        except OSError as exc:
            self._inc("morgue/warc/write_errors")
            logger.error("Cannot close the crawl's WARC: %s", exc.strerror or exc)
        if self.stats is not None:
            self.stats.set_value("morgue/warc/files", len(self._files.files))
            self.stats.set_value("morgue/warc/bytes", self._files.bytes)

    # -- the writer thread -----------------------------------------------------------
    def _drain(self) -> None:
        while (fetched := self._queue.get()) is not None:
            if self._broken:
                continue  # keep taking, so the reactor never waits on a dead writer
            try:
                self._write(fetched)
            except OSError as exc:
                self._stop(
                    f"Cannot write the crawl's WARC in {self.folder} ({exc.strerror or exc})"
                )
            except Exception:  # a bug here must not leave the reactor waiting on a full queue
                logger.exception(
                    "The crawl's WARC writer failed on %s: no more WARC records this run; "
                    "the archive is not affected",
                    fetched.url,
                )
                self._broken = True
                self._inc("morgue/warc/write_errors")

    def _stop(self, why: str) -> None:
        self._broken = True
        self._inc("morgue/warc/write_errors")
        logger.error("%s: no more WARC records this run; the archive is not affected", why)

    def _rotating(self) -> RotatingWarc:
        if self._files is None:
            run_id = self.stats.get_value("morgue/run_id") if self.stats is not None else None
            run_id = run_id or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + (
                secrets.token_hex(6)
            )
            self._files = RotatingWarc(
                self.folder,
                str(run_id),
                max_bytes=self.max_bytes,
                info=warcinfo_fields(self.crawler.settings, str(run_id)),
            )
        return self._files

    def _write(self, fetched: Fetched) -> None:
        files = self._rotating()
        warc = files.current()
        date, uri, body = fetched.date, fetched.url, fetched.body
        response_id = new_record_id()
        extra = {"WARC-IP-Address": fetched.ip_address} if fetched.ip_address else {}
        digest = _sha1(body) if body else None
        earlier = self._payloads.get(digest) if digest else None
        if earlier is not None:
            written = warc.revisit(
                uri,
                date=date,
                status=fetched.status,
                headers=fetched.headers,
                body=body,
                rec_id=response_id,
                refers_to=earlier[0],
                refers_to_uri=earlier[1],
                refers_to_date=earlier[2],
                protocol=fetched.protocol,
            )
            self._inc("morgue/warc/revisits")
        else:
            written = warc.response(
                uri,
                date=date,
                status=fetched.status,
                headers=fetched.headers,
                body=body,
                rec_id=response_id,
                protocol=fetched.protocol,
                extra=extra,
            )
            if digest:
                self._remember(digest, (response_id, uri, date))
        lengths = written.length
        lengths += warc.request(
            fetched.request_url,
            date=date,
            headers=fetched.request_headers,
            rec_id=new_record_id(),
            concurrent_to=response_id,
            method=fetched.method,
            body=fetched.request_body,
        ).length
        lengths += warc.metadata(
            uri,
            [
                ("morgue-run-id", files.run_id),
                ("morgue-depth", fetched.depth),
                ("morgue-reached-by", fetched.reached_by),
                ("morgue-referrer", fetched.referrer),
            ],
            date=date,
            rec_id=new_record_id(),
            concurrent_to=response_id,
        ).length
        files.bytes += lengths
        self._inc("morgue/warc/records", 3)
        files.after_write()

    def _remember(self, digest: str, where: tuple[str, str, str]) -> None:
        self._payloads[digest] = where
        if len(self._payloads) > REVISIT_MEMORY:
            self._payloads.popitem(last=False)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)


def warcinfo_fields(settings: BaseSettings, run_id: str) -> list[tuple[str, str | int | None]]:
    return [
        ("software", software()),
        ("format", "WARC File Format 1.1"),
        ("conformsTo", CONFORMS_TO),
        ("isPartOf", f"morgue-{run_id}"),
        ("description", "morgue crawl: every response as downloaded"),
        ("robots", "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore"),
        ("http-header-user-agent", settings.get("USER_AGENT")),
        ("morgue-run-id", run_id),
    ]


def _pairs(headers: object) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` as ``(name, value)`` pairs, one per value, in order."""
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():  # type: ignore[attr-defined]
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value else None


def _sha1(body: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
