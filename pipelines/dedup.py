"""DedupPipeline: one article per canonical URL, across the run and across runs. Its one job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from pipelines.handle import archive_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class DedupPipeline:
    """Label each extracted article ``new`` or ``seen``.

    The article ID is derived from its canonical URL, so a URL met again,
    in this run or an earlier one, maps to the same ID: the store pipeline
    then only moves its ``last_seen_at`` and keeps the capture. Counted as
    ``morgue/dedup/new``, ``morgue/dedup/seen_in_run`` and
    ``morgue/dedup/seen_before``.
    """

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self._seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        article = adapter.get("article")
        if article is None:
            return item
        article_id = article.id
        adapter["article_id"] = article_id
        if article_id in self._seen:
            adapter["action"] = "seen"
            self.stats.inc_value("morgue/dedup/seen_in_run")
        elif archive_for(self.crawler).known_article_ids([article_id]):
            adapter["action"] = "seen"
            self.stats.inc_value("morgue/dedup/seen_before")
        else:
            adapter["action"] = "new"
            self.stats.inc_value("morgue/dedup/new")
        self._seen.add(article_id)
        return item
