"""Near-duplicate detection: MinHash sketches of word shingles and an LSH index over them.

Pure computation, no SQL and no Scrapy: :mod:`pipelines.dedup` feeds it articles and the
archive persists what it produces (``near_dups`` table, see docs/schema.md), so a page
archived next month joins last month's cluster. The rules and the bench figures behind
the defaults are in docs/dedup.md.
"""

from pipelines.neardup.index import Match, NearDupIndex
from pipelines.neardup.sketch import DEFAULT_PARAMS, Sketch, SketchParams, shingle_hashes, sketch

__all__ = [
    "DEFAULT_PARAMS",
    "Match",
    "NearDupIndex",
    "Sketch",
    "SketchParams",
    "shingle_hashes",
    "sketch",
]
