"""``morgue import``: WARC and WACZ files through the crawl's own pipelines (docs/warc.md).

Each HTML ``response`` record becomes the same :class:`crawler.items.RawPage` a crawl
yields and goes through the same pipeline objects, in the same order: extract (in the
``EXTRACT_WORKERS`` process pool: both cores), stitch, dedup, store. There is no Scrapy
engine: :class:`ImportCrawler` gives the pipelines what they read from a crawler (its
settings, a stats collector, signals), and an asyncio loop drives them. Pages enter
extraction in file order and leave it in that order, so dedup and the store see them
exactly as a crawl's single reactor would.

* A ``revisit`` resolves to its original capture (by ``WARC-Refers-To``, else by
  ``WARC-Refers-To-Target-URI`` and ``-Date``): the pages before it are stored first, then
  it is imported as a fetch of the original's body at the revisit's own date.
* A record whose capture is archived already (same URL, WARC-Date and body: the same
  capture ID) is not extracted again: importing the same file twice adds nothing.
* What could not be read is counted (``morgue/import/errors``) and kept in the archive's
  ``import_errors`` table; everything else that is not imported is counted under
  ``morgue/import/skipped/<reason>``.
* The import is a run in ``runs`` (spider ``import``, its files as ``start_urls``), with
  every counter in its stats.

At most ``window`` pages, and at most ``IMPORT_MAX_ACTIVE_SIZE`` bytes of their bodies
(or one page, if bigger), are in flight at once, and bodies are read one record at a
time, so memory grows neither with the size of the files nor with the size of the pages.
"""

from __future__ import annotations

import asyncio
import glob
import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from archive.errors import ArchiveError, UsageError
from crawler.items import RawPage
from pipelines.core.clock import utc_now_iso
from pipelines.core.records import capture_id
from pipelines.warcread import (
    WARC_SUFFIXES,
    Broken,
    Skipped,
    Source,
    WarcPage,
    read_source,
    wacz_members,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from archive.archive import CrawlArchive

logger = logging.getLogger(__name__)

#: ``IMPORT_MAX_ACTIVE_SIZE``: bytes of page bodies in flight at most (0: no limit). The
#: window of pages that keeps every extraction process busy holds ~17 MB of typical
#: 66 KB pages; 32 MiB leaves it whole, and still holds eight batches of 1 MB pages
#: (``EXTRACT_BATCH_BYTES``). An extracted page holds its article until it is stored.
MAX_ACTIVE_SIZE = 32 * 1024 * 1024

#: The spider name an import's row in ``runs`` carries.
IMPORT_SPIDER = "import"
#: Progress callback: (records done, bytes read) since the last call.
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    run_id: str
    files: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return int(self.stats.get(f"morgue/{name}", 0))

    def summary(self) -> dict[str, Any]:
        """The figures worth printing: records, pages, articles, skips and errors."""
        skipped = {
            key.rsplit("/", 1)[1]: value
            for key, value in sorted(self.stats.items())
            if key.startswith("morgue/import/skipped/")
        }
        return {
            "run_id": self.run_id,
            "files": len(self.files),
            "records": self.count("import/records"),
            "bytes": self.count("import/bytes"),
            "pages": self.count("import/pages"),
            "revisits": self.count("import/revisits"),
            "already_imported": self.count("import/already_imported"),
            "captures_written": self.count("store/captures"),
            "articles_new": self.count("store/articles_new"),
            "articles_changed": self.count("store/articles_changed"),
            "skipped": skipped,
            "errors": self.count("import/errors"),
        }


class _ImportSpider:
    """What the store reads from a spider for the ``runs`` row."""

    name = IMPORT_SPIDER

    def __init__(self, files: Sequence[str]) -> None:
        self.seeds = list(files)


class ImportCrawler:
    """The parts of a Scrapy crawler the pipelines use: settings, stats, signals, spider."""

    def __init__(self, settings: Settings, files: Sequence[str]) -> None:
        from scrapy.signalmanager import SignalManager
        from scrapy.statscollectors import MemoryStatsCollector

        class ImportStats(MemoryStatsCollector):
            # Scrapy's collector routes every attribute read through a __getattribute__
            # that wraps its methods to warn of a spider argument (which morgue never
            # passes): ~7 us a counter bump, ~35 bumps a page. Plain lookups: ~1 us.
            __getattribute__ = object.__getattribute__

        self.settings = settings
        self.signals = SignalManager(self)
        self.stats = ImportStats(cast("Crawler", self))
        self.spider = _ImportSpider(files)
        self.engine = None


def expand_paths(paths: Iterable[str]) -> list[Source]:
    """Files, folders (every WARC/WACZ under them) and globs, as WARC streams in order.

    A path that names nothing, or a file of another kind, is a :class:`UsageError`."""
    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_warc(p))
            if not found:
                raise UsageError(f"No .warc, .warc.gz or .wacz file under {text}.")
            files.extend(found)
        elif path.is_file():
            if not _is_warc(path):
                raise UsageError(f"{text} is not a .warc, .warc.gz or .wacz file.")
            files.append(path)
        elif glob.has_magic(text):
            matched = sorted(Path(p) for p in glob.glob(text, recursive=True))
            matched = [p for p in matched if p.is_file() and _is_warc(p)]
            if not matched:
                raise UsageError(f"No .warc, .warc.gz or .wacz file matches {text}.")
            files.extend(matched)
        else:
            raise UsageError(f"No such file or folder: {text}.")
    sources: list[Source] = []
    for path in dict.fromkeys(p.resolve() for p in files):
        if path.name.lower().endswith(".wacz"):
            members = _wacz_members(path)
            sources.extend(Source(path, member) for member in members)
        else:
            sources.append(Source(path))
    return sources


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def _wacz_members(path: Path) -> list[str]:
    import zipfile

    try:
        members = wacz_members(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UsageError(f"{path} is not a readable WACZ (zip) file: {exc}.") from exc
    if not members:
        raise UsageError(f"{path} holds no archive/*.warc or archive/*.warc.gz file.")
    return members


def import_settings(archive_path: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    """The crawl's settings, as the pipelines read them, for an import."""
    from crawler.runner import crawl_settings

    # no reactor here: the store flushes by batch size and at the end, not on a timer
    # the extraction workers decide article or hub, as the spider does for a crawl
    fixed = {"STORE_FLUSH_SECONDS": 0, "EXTRACT_CLASSIFY": True}
    return crawl_settings(archive_path, {**fixed, **(overrides or {})})


def run_import(
    paths: Sequence[str],
    *,
    archive_path: str,
    settings: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every WARC record under ``paths`` into the archive at ``archive_path``."""
    sources = expand_paths(paths)
    return asyncio.run(_Import(sources, import_settings(archive_path, settings), progress).run())


def total_bytes(sources: Sequence[Source]) -> int:
    return sum(source.size() for source in sources)


class _Import:
    def __init__(self, sources: list[Source], settings: Settings, progress: Progress | None):
        from archive.archive import CrawlArchive
        from crawler.extensions.malloc import tune_malloc
        from pipelines.dedup import DedupPipeline
        from pipelines.extract import ExtractPipeline
        from pipelines.registry import use_archive
        from pipelines.stitch import StitchPipeline
        from pipelines.store import StorePipeline

        tune_malloc(settings)  # no extensions here; before the pool's threads start
        self.sources = sources
        self.progress = progress
        files = list(dict.fromkeys(str(source.path) for source in sources))
        self.crawler = ImportCrawler(settings, files)
        crawler = cast("Crawler", self.crawler)
        self.archive: CrawlArchive = CrawlArchive(settings.get("ARCHIVE_PATH"))
        use_archive(crawler, self.archive)
        self.stats = self.crawler.stats
        self.extract = ExtractPipeline.from_crawler(crawler)
        self.stitch = StitchPipeline.from_crawler(crawler)
        self.dedup = DedupPipeline.from_crawler(crawler)
        self.store = StorePipeline.from_crawler(crawler)
        self.max_body = settings.getint("DOWNLOAD_MAXSIZE", 10 * 1024 * 1024) or (1 << 30)
        # enough pages in flight to keep every extraction process busy with full batches
        self.window = max(64, 4 * max(1, self.extract.workers) * self.extract.batch_size)
        # and no more bytes of bodies than this (a WARC of 1 MB pages held 256 of them)
        self.max_active = max(0, settings.getint("IMPORT_MAX_ACTIVE_SIZE", MAX_ACTIVE_SIZE))
        self._active = 0  # bytes of the bodies in flight
        self.report = ImportReport(run_id=self.store.run_id, files=files)
        self._flight: deque[tuple[RawPage, asyncio.Future[Any], int]] = deque()

    async def run(self) -> ImportReport:
        from scrapy import signals

        self.stats.open_spider()
        self.stats.set_value("start_time", utc_now_iso())
        self.store.open_spider()
        self.extract.open_spider()
        reason = "finished"
        try:
            for source in self.sources:
                self.stats.inc_value("morgue/import/files")
                await self._import_source(source)
            await self._drain(0)
        except BaseException:
            reason = "import_failed"
            raise
        finally:
            self.extract.close_spider()
            if reason == "finished":
                self.store.close_spider()
            self.stats.set_value("finish_time", utc_now_iso())
            self.stats.set_value("finish_reason", reason)
            self.report.stats = json.loads(json.dumps(self.stats.get_stats(), default=str))
            self.crawler.signals.send_catch_log(
                signal=signals.spider_closed, spider=self.crawler.spider, reason=reason
            )
            self.archive.close()  # the store's handler closed it; closing is idempotent
        if self.report.count("store/write_failed"):
            raise ArchiveError("The archive refused a write; the import stopped (see the log).")
        return self.report

    async def _import_source(self, source: Source) -> None:
        logger.info("importing %s", source.label)

        def advance(count: int) -> None:
            self.stats.inc_value("morgue/import/bytes", count)
            if self.progress is not None:
                self.progress(0, count)

        for entry in read_source(source, max_body=self.max_body, is_html=_is_html, advance=advance):
            self.stats.inc_value("morgue/import/records")
            if self.progress is not None:
                self.progress(1, 0)
            if isinstance(entry, Skipped):
                self.stats.inc_value(f"morgue/import/skipped/{entry.reason}")
            elif isinstance(entry, Broken):
                self._broken(entry)
            else:
                await self._page(entry)
            if self.report.count("store/write_failed") or self.stats.get_value(
                "morgue/store/write_failed"
            ):
                raise ArchiveError("The archive refused a write; the import stopped.")

    def _broken(self, entry: Broken) -> None:
        self.stats.inc_value("morgue/import/errors")
        logger.warning("%s at offset %d: %s", entry.origin.file, entry.origin.offset, entry.error)
        self.archive.record_import_error(
            entry.origin.file,
            entry.origin.offset,
            entry.error,
            record_id=entry.origin.record_id,
            target_uri=entry.target_uri,
            run_id=self.store.run_id,
            recorded_at=utc_now_iso(),
        )

    async def _page(self, page: WarcPage) -> None:
        if page.revisit is not None:
            self.stats.inc_value("morgue/import/revisits")
            if not await self._resolve(page):
                self.stats.inc_value("morgue/import/skipped/revisit_unresolved")
                return
        key = capture_id(page.url, page.fetched_at, page.body)
        if self.archive.captures_present([key]):
            self.stats.inc_value("morgue/import/already_imported")
            return
        self.stats.inc_value("morgue/import/pages")
        item = RawPage(
            url=page.url,
            final_url=page.url,
            status=page.status,
            headers=page.headers,
            body=page.body,
            fetched_at=page.fetched_at,
            reached_by="seed",
            warc=page.origin,
        )
        size = len(page.body)
        if self.max_active:
            while self._flight and self._active + size > self.max_active:
                await self._drain(len(self._flight) - 1)
        self._active += size
        self.stats.max_value("morgue/import/active_bytes_max", self._active)
        future = asyncio.ensure_future(self.extract.process_item(item))
        self._flight.append((item, future, size))
        await asyncio.sleep(0)  # let it join the extraction batch now
        await self._drain(self.window)

    async def _resolve(self, page: WarcPage) -> bool:
        """Give a revisit its original's body (and status and headers where it has none)."""
        ref = page.revisit
        assert ref is not None
        await self._drain(0)  # the original may be one of the pages in flight
        self.store.flush()
        original = self.archive.warc_original(ref.record_id, ref.url, ref.fetched_at)
        if original is None:
            return False
        page.body = self.archive.capture_body(original["id"])
        if not page.status:
            page.status = int(original["status"])
        if not page.headers and isinstance(original["headers"], dict):
            page.headers = dict(original["headers"])
        return bool(page.body) and 200 <= page.status < 300

    async def _drain(self, keep: int) -> None:
        """Finish the oldest pages in flight until at most ``keep`` remain, in order."""
        from scrapy.exceptions import DropItem

        while len(self._flight) > keep:
            item, future, size = self._flight.popleft()
            self._active -= size
            try:
                await future
                self.stitch.process_item(item)
                self.dedup.process_item(item)
                self.store.process_item(item)
            except DropItem as exc:
                self.stats.inc_value("morgue/import/dropped")
                logger.info("dropped %s: %s", item.url, exc)


def _is_html(content_type: str | None) -> bool | None:
    if not content_type:
        return None
    return "html" in content_type.lower()
