"""DedupPipeline: decide what an extracted article is to the archive. Its one job.

* **Identity.** The article's canonical URL is recomputed by :mod:`pipelines.core.urls`
  (tracking parameters dropped, AMP mapped to its canonical), and its ID follows it.
* **New, changed or seen.** An article met again in this run is ``seen``; an archived
  one is ``changed`` when its title or body hash differ (the store writes the next
  version) and ``seen`` (unchanged: only last_seen_at moves) otherwise; anything else
  is ``new``.
* **304.** A ``304 Not Modified`` answer carries no article: it is mapped to its article
  through the archive's ``aliases`` and labelled ``unchanged``.
* **Near copies.** A new article is sketched (MinHash, :mod:`pipelines.neardup`) and
  joins the cluster of the best archived near copy; the signature is staged on the
  archive and persisted with the article. Exact copies (same body hash) get
  ``duplicate_of`` from the archive itself.

Counted as ``morgue/dedup/new``, ``seen_in_run``, ``seen_before`` (changed + unchanged),
``changed``, ``unchanged``, ``not_modified``, ``near_dup/joined``, ``near_dup/alone``
and ``canonical/rewritten``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from archive.similarity import NearDupRecord
from pipelines.core.clock import utc_now_iso
from pipelines.core.urls import canonical_url
from pipelines.neardup import Match, NearDupIndex, Sketch, SketchParams, sketch
from pipelines.neardup.boilerplate import BoilerplateFilter
from pipelines.neardup.settings import NearDupSettings
from pipelines.registry import archive_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from archive import CrawlArchive
    from archive.scratch_sets import ScratchIdSet
    from pipelines.core.article import Article

logger = logging.getLogger(__name__)


def load_index(archive: CrawlArchive, params: SketchParams, threshold: float) -> NearDupIndex:
    """The near-dup index with every signature the archive holds for ``params`` (it
    reads a likely match's full signature back from the archive: staged or stored). Its
    rows and band keys live in the archive's scratch store, not in this process's
    memory (issue 18: it no longer grows with the articles indexed)."""
    index = NearDupIndex(
        params,
        threshold,
        lambda ids: archive.near_dup_signatures(ids, params.key),
        store=archive.near_dup_scratch((params.num_perm + 1) // 2),
    )
    index.add_stored(
        (article_id, signature, shingles, cluster_id)
        for article_id, cluster_id, shingles, signature in archive.iter_near_dups(params.key)
    )
    return index


def canonicalise(article: Article) -> bool:
    """Apply the URL rules to ``article.canonical_url`` in place; whether it changed."""
    source = article.field_sources.get("canonical_url")
    declared = None if source in (None, "url") else article.canonical_url
    canonical = canonical_url(article.url, declared)
    if canonical == article.canonical_url:
        return False
    article.canonical_url = canonical
    return True


class DedupPipeline:
    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats
        self.near_dup = NearDupSettings.from_settings(crawler.settings)
        self.params, self.threshold = self.near_dup.params, self.near_dup.threshold
        self.enabled = crawler.settings.getbool("NEAR_DUP_ENABLED", True)
        self._seen: ScratchIdSet | None = None
        self._index: NearDupIndex | None = None
        self._boilerplate: BoilerplateFilter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    @property
    def index(self) -> NearDupIndex:
        if self._index is None:
            started = time.monotonic()
            self._index = load_index(archive_for(self.crawler), self.params, self.threshold)
            _ = self.boilerplate
            logger.info(
                "near-dup index: %d signatures loaded in %.2fs",
                len(self._index),
                time.monotonic() - started,
            )
        return self._index

    @property
    def seen(self) -> ScratchIdSet:
        """The IDs of the articles met in this run, in the archive's scratch file (issue
        18: not in this process's memory)."""
        if self._seen is None:
            self._seen = archive_for(self.crawler).scratch_id_set()
        return self._seen

    @property
    def boilerplate(self) -> BoilerplateFilter:
        if self._boilerplate is None:
            self._boilerplate = load_boilerplate(archive_for(self.crawler), self.near_dup)
        return self._boilerplate

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        article = adapter.get("article")
        if article is None:
            if adapter.get("status") == 304:
                self._not_modified(adapter)
            return item
        if canonicalise(article):
            self.stats.inc_value("morgue/dedup/canonical/rewritten")
        article_id = article.id
        adapter["article_id"] = article_id
        if not self.seen.add_new(article_id):
            adapter["action"] = "seen"
            self.stats.inc_value("morgue/dedup/seen_in_run")
            return item
        archive = archive_for(self.crawler)
        state = archive.article_states([article_id]).get(article_id)
        if state is None:
            adapter["action"] = "new"
            self.stats.inc_value("morgue/dedup/new")
            self._cluster(archive, article, None, adapter.get("fetched_at"), adapter.get("sketch"))
        elif (state.title, state.content_hash) != (article.title, article.content_hash):
            adapter["action"] = "changed"
            self.stats.inc_value("morgue/dedup/seen_before")
            self.stats.inc_value("morgue/dedup/changed")
            self._cluster(
                archive, article, state.cluster_id, adapter.get("fetched_at"), adapter.get("sketch")
            )
        else:
            adapter["action"] = "seen"
            self.stats.inc_value("morgue/dedup/seen_before")
            self.stats.inc_value("morgue/dedup/unchanged")
        return item

    def _not_modified(self, adapter: ItemAdapter) -> None:
        urls = [adapter.get("url"), adapter.get("final_url")]
        found = archive_for(self.crawler).article_ids_for_aliases(u for u in urls if u)
        article_id = next((found[u] for u in urls if u in found), None)
        if article_id is None:
            self.stats.inc_value("morgue/dedup/not_modified_unknown")
            return
        adapter["article_id"] = article_id
        adapter["action"] = "unchanged"
        self.stats.inc_value("morgue/dedup/not_modified")

    def _cluster(
        self,
        archive: CrawlArchive,
        article: Article,
        cluster_id: str | None,
        when: str | None,
        pre: tuple[str, SketchParams, Sketch] | None = None,
    ) -> None:
        """Sketch ``article`` (without its site's boilerplate), find its cluster (a changed
        article keeps ``cluster_id``) and stage the signature for the store to persist.

        ``pre`` is the extraction worker's sketch of the body text: used when that is the
        very text to sketch (no boilerplate left out), so the reactor does not redo it."""
        if not self.enabled:
            return
        is_new = cluster_id is None
        found, keys = sketch_article(self.boilerplate, article, self.params, pre)
        match = None
        if cluster_id is None:
            self.boilerplate.observe(keys)
            match = self.index.query(found, exclude=article.id)
            cluster_id = match.cluster_id if match else article.id
            self.stats.inc_value(f"morgue/dedup/near_dup/{'joined' if match else 'alone'}")
        self.index.add(article.id, found, cluster_id)
        archive.stage_near_dup(
            near_dup_record(
                article.id,
                cluster_id,
                self.params,
                found,
                match=match,
                when=when,
                paragraphs=tuple(keys) if is_new else (),
            )
        )


def load_boilerplate(archive: CrawlArchive, near_dup: NearDupSettings) -> BoilerplateFilter:
    """The boilerplate filter with the paragraph counts the archive holds (those of two
    articles or more), counted on in the archive's scratch file (issue 18: not in this
    process's memory)."""
    return BoilerplateFilter(near_dup.boilerplate_min, store=archive.scratch_paragraph_counts(2))


def sketch_article(
    boilerplate: BoilerplateFilter,
    article: Article,
    params: SketchParams,
    pre: tuple[str, SketchParams, Sketch] | None = None,
) -> tuple[Sketch, list[int]]:
    """The sketch of ``article``'s body without its site's boilerplate, and every
    paragraph's key: the one rule for a crawled, reprocessed or imported article.

    ``pre`` is an extraction worker's sketch of the whole body text, reused when no
    boilerplate was left out."""
    text, keys = boilerplate.strip(article.site, article.body_text)
    if pre is not None and pre[0] is article.body_text and pre[1] == params and text == pre[0]:
        return pre[2], keys
    return sketch(text, params), keys


def near_dup_record(
    article_id: str,
    cluster_id: str,
    params: SketchParams,
    found: Sketch,
    *,
    match: Match | None = None,
    when: str | None = None,
    paragraphs: tuple[int, ...] = (),
) -> NearDupRecord:
    """The row staged on the archive for an article's sketch."""
    return NearDupRecord(
        article_id=article_id,
        cluster_id=cluster_id,
        params=params.key,
        shingles=found.shingles,
        signature=found.signature.astype("<u4").tobytes(),
        matched_id=match.article_id if match else None,
        score=round(match.score, 4) if match else None,
        computed_at=when or utc_now_iso(),
        paragraphs=paragraphs,
    )
