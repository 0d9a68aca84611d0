"""Finding one article or capture from what a user typed: an ID, a unique ID prefix, or
any URL of the article (tracking parameters and AMP variants cleaned as the crawl does)."""

from __future__ import annotations

import re

from archive.base import ArchiveBase
from archive.errors import NotFoundError, UsageError
from pipelines.core.urls import canonical_url, clean_url

#: The fewest characters of an ID taken as a prefix (IDs are 16 hex digits).
MIN_PREFIX = 4
_HEX = re.compile(r"^[0-9a-fA-F]+$")


class LookupMixin(ArchiveBase):
    def resolve_article_id(self, id_or_url: str) -> str:
        """An article ID from its ID, a unique prefix of it (``MIN_PREFIX`` characters or
        more), its canonical URL, the URL it was fetched at, or any alias URL; a URL is
        also tried as the crawl cleans it (tracking parameters, fragment, AMP).

        Raises :class:`NotFoundError`, or :class:`UsageError` for a prefix that several
        articles share (naming them)."""
        text = id_or_url.strip()
        for candidate in _url_forms(text):
            rows = self._rows(
                "SELECT id FROM articles WHERE id = ? "
                "UNION ALL SELECT id FROM (SELECT id FROM articles WHERE canonical_url = ? "
                "OR url = ? ORDER BY canonical_url = ? DESC, first_seen_at LIMIT 1) "
                "UNION ALL SELECT article_id FROM aliases WHERE url = ? LIMIT 1",
                (candidate, candidate, candidate, candidate, candidate),
            )
            if rows:
                return str(rows[0]["id"])
        found = self._by_prefix("articles", text)
        if found is None:
            raise NotFoundError(f"No article with ID or URL {id_or_url!r} in {self.path}.")
        return found

    def resolve_capture_id(self, capture_id: str) -> str:
        """A capture ID from the ID or a unique prefix of it (as ``resolve_article_id``)."""
        text = capture_id.strip()
        if self._rows("SELECT id FROM captures WHERE id = ?", (text,)):
            return text
        found = self._by_prefix("captures", text)
        if found is None:
            raise NotFoundError(f"No capture {capture_id!r} in {self.path}.")
        return found

    def _by_prefix(self, table: str, prefix: str) -> str | None:
        """The one ID of ``table`` starting with ``prefix``; None when none does."""
        if len(prefix) < MIN_PREFIX or not _HEX.match(prefix):
            return None
        low = prefix.lower()
        rows = self._rows(  # hex IDs: every one starting with low sorts below low + 'g'
            f"SELECT id FROM {table} WHERE id > ? AND id < ? ORDER BY id LIMIT 6",
            (low, low + "g"),
        )
        if len(rows) > 1:
            shown = ", ".join(r["id"] for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
            raise UsageError(
                f"{prefix!r} is the start of several {table[:-1]} IDs ({shown}): give more of it."
            )
        return str(rows[0]["id"]) if rows else None


def _url_forms(text: str) -> list[str]:
    """``text`` as given, then as the crawl would clean it when it is a URL."""
    if "://" not in text:
        return [text]
    return list(dict.fromkeys((text, clean_url(text), canonical_url(text))))
