"""Merging archive shards (one per crawl worker) into one archive (docs/merge.md).

:meth:`archive.Archive.merge_shard` folds one shard in, in one transaction;
:mod:`.shard` opens, checks and attaches it, :mod:`.tables` runs the rules table by
table (:mod:`.articles`, :mod:`.pages`, :mod:`.page_versions`, :mod:`.stitched`,
:mod:`.dedup`), and :class:`MergeReport` says what changed.
"""

from __future__ import annotations

from archive.merge.shard import MergeMixin, MergeReport, TableCounts
from pipelines.neardup.settings import NearDupSettings

__all__ = ["MergeMixin", "MergeReport", "NearDupSettings", "TableCounts"]
