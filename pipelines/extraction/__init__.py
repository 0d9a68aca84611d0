"""Article extraction: a pure function of ``(html bytes, url)``, no Scrapy.

from pipelines.extraction import extract
article = extract(html_bytes, "https://example.com/story/", headers, fetched_at)
"""

from __future__ import annotations

from pipelines.core.article import Article, Block, RelatedLink
from pipelines.extraction.extract import extract

__all__ = ["Article", "Block", "RelatedLink", "extract"]
