"""Resume replay: answer a URL the job archived already from the archive, not the network.

Active only with JOBDIR (see :mod:`pipelines.journal`). The replayed response carries
``morgue_replayed`` in its meta: the spider follows its links but yields no new
capture for it, and retry, redirect and backoff leave it alone. Counted as
``morgue/resume/replayed``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from pipelines.journal import journal_for
from pipelines.registry import archive_for

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

#: Headers that described the bytes on the wire, not the stored (decoded) body.
_WIRE_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


class ReplayMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        journal = journal_for(self.crawler)
        if journal is None or request.meta.get("dont_obey_robotstxt"):
            return None
        entry = journal.responses.get(request.url)
        if entry is None:
            return None
        archive = archive_for(self.crawler)
        row = archive.get_capture(entry.capture_id)
        body = archive.capture_body(entry.capture_id)
        headers = Headers(
            {k: v for k, v in (row.get("headers") or {}).items() if k not in _WIRE_HEADERS}
        )
        url = row.get("final_url") or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        request.meta.update(morgue_replayed=True, dont_retry=True, dont_redirect=True)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("morgue/resume/replayed")
        return cls(url=url, status=int(row["status"]), headers=headers, body=body, request=request)
