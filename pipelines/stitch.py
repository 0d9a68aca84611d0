"""StitchPipeline: recognise one page of a multi-page article. Its one job.

A page whose extraction shows it is one of several (numbered page links, or a next /
previous page that is a numbered sibling URL; :func:`pipelines.core.pages.page_part`)
gets a ``page_part``; the store hands it to the archive, which keeps the page in the
``pages`` table and composes the chain's ONE article again in the same transaction
(:mod:`archive.pages`). Nothing waits in memory for the other pages: a crash loses at
most the unflushed batch, as for any page, and the resumed crawl fetches or replays it.

The item's ``article`` becomes the stitched article as the archive would compose it
with this page now (keyed by page 1's canonical URL), so the dedup stage sketches and
compares the whole article, not one page of it.

Counted as ``morgue/stitch/pages`` (items that are one page of several) and, at the
end of the run over the chains this run touched, ``morgue/stitch/chains_complete`` and
``morgue/stitch/chains_incomplete`` (some page never archived: the article keeps what
it has, with ``articles.pages_missing`` > 0). The archive counts the rest under
``morgue/stitch/...`` (see :func:`archive.pages.save_part`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals

from pipelines.core.pages import compose, page_part
from pipelines.dedup import canonicalise
from pipelines.registry import archive_for

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class StitchPipeline:
    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self._page_urls: set[str] = set()  # URLs only, for the end-of-run chain counts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StitchPipeline:
        assert crawler.stats is not None
        pipeline = cls(crawler, crawler.stats)
        # connected before the store's handler, which closes the archive
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        article = adapter.get("article")
        if article is None:
            return item
        if canonicalise(article):
            self.stats.inc_value("morgue/dedup/canonical/rewritten")
        part = page_part(article)
        if part is None:
            return item
        self.stats.inc_value("morgue/stitch/pages")
        self._page_urls.add(part.url)
        chain, parts = archive_for(self.crawler).page_chain(part)
        adapter["page_part"] = part
        adapter["article"] = compose(chain, parts)
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not self._page_urls:
            return
        states = archive_for(self.crawler).chain_states(sorted(self._page_urls))
        complete = sum(1 for missing in states.values() if missing == 0)
        self.stats.set_value("morgue/stitch/chains_complete", complete)
        self.stats.set_value("morgue/stitch/chains_incomplete", len(states) - complete)
