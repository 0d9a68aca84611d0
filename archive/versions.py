"""Versions of articles (``morgue history`` / ``diff``) and what re-crawls and dedup ask."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from archive.base import ArchiveBase, decode_json, in_chunks
from archive.errors import NotFoundError, UsageError
from archive.filters import site_condition, site_key
from archive.lookup import LookupMixin

_CHUNK = 400


@dataclass(frozen=True)
class ArticleState:
    """What decides whether a re-crawled article changed."""

    article_id: str
    title: str | None
    content_hash: str | None
    version: int
    cluster_id: str


@dataclass(frozen=True)
class KnownPage:
    """A URL the archive knows, for the re-crawl scheduler."""

    url: str
    article_id: str
    last_seen_at: str
    etag: str | None
    last_modified: str | None


class VersionsMixin(LookupMixin, ArchiveBase):
    # -- versions ----------------------------------------------------------------------
    def list_versions(self, article_id: str) -> list[dict[str, Any]]:
        """Every version of an article, oldest first, with its body (NotFoundError if none)."""
        rows = self._rows(
            "SELECT article_id, version, captured_at, title, body_text, content_hash, capture_id "
            "FROM versions WHERE article_id = ? ORDER BY version",
            (article_id,),
        )
        if not rows:
            raise NotFoundError(f"No article {article_id!r} with versions in {self.path}.")
        return rows

    def history(self, id_or_url: str) -> dict[str, Any]:
        """``{"article_id", "versions"}``: each version of the article (an ID, its URL or
        any URL variant), oldest first, as ``version, captured_at, title, content_hash``
        (12 digits), ``words`` and ``capture_id`` (``morgue history``)."""
        article_id = self.resolve_article_id(id_or_url)
        versions = [
            {
                "version": v["version"],
                "captured_at": v["captured_at"],
                "title": v["title"],
                "content_hash": (v["content_hash"] or "")[:12],
                "words": len(str(v["body_text"] or "").split()),
                "capture_id": v["capture_id"],
            }
            for v in self.list_versions(article_id)
        ]
        return {"article_id": article_id, "versions": versions}

    def diff(self, id_or_url: str, v1: int | None = None, v2: int | None = None) -> VersionDiff:
        """The unified diff of two versions of an article (by default its last two):
        the title line, a blank line, then the body (``morgue diff``)."""
        article_id = self.resolve_article_id(id_or_url)
        old, new = pick_versions(self.list_versions(article_id), v1, v2)
        return VersionDiff(
            article_id, int(old["version"]), int(new["version"]), unified_diff(old, new, article_id)
        )


@dataclass(frozen=True)
class VersionDiff:
    """Two versions of one article compared; ``text`` is empty when they are identical."""

    article_id: str
    old: int
    new: int
    text: str


def unified_diff(old: dict[str, Any], new: dict[str, Any], article_id: str) -> str:
    """A unified diff of two versions: the title line, a blank line, then the body."""

    def lines(version: dict[str, Any]) -> list[str]:
        body = str(version.get("body_text") or "").split("\n")
        return [f"title: {version.get('title') or ''}", "", *body]

    diff = difflib.unified_diff(
        lines(old),
        lines(new),
        fromfile=f"{article_id} v{old['version']} ({old['captured_at']})",
        tofile=f"{article_id} v{new['version']} ({new['captured_at']})",
        lineterm="",
    )
    return "\n".join(diff)


def pick_versions(
    versions: list[dict[str, Any]], v1: int | None, v2: int | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two versions to compare: ``v1`` and ``v2``, or by default the last two."""
    by_number = {int(v["version"]): v for v in versions}
    if v1 is None and v2 is None:
        if len(versions) < 2:
            raise UsageError(
                f"Article {versions[0]['article_id']} has only one version: nothing to diff."
            )
        return versions[-2], versions[-1]
    if v1 is None or v2 is None:
        raise UsageError("Give both versions (morgue diff ID V1 V2), or neither.")
    missing = [v for v in (v1, v2) if v not in by_number]
    if missing:
        known = ", ".join(str(n) for n in sorted(by_number))
        raise NotFoundError(f"No version {missing[0]} of that article (it has {known}).")
    return by_number[v1], by_number[v2]


class CrawlStateMixin(ArchiveBase):
    """What the crawl asks before it writes: is this article known, changed, fresh?"""

    def article_states(self, ids: Iterable[str]) -> dict[str, ArticleState]:
        """``{id: ArticleState}`` for the archived articles among ``ids``."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, ArticleState] = {}
        for chunk, marks in in_chunks(wanted, _CHUNK):
            for row in self._iter_rows(
                "SELECT id, title, content_hash, version, cluster_id FROM articles "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                found[row["id"]] = ArticleState(
                    row["id"],
                    row["title"],
                    row["content_hash"],
                    int(row["version"]),
                    row["cluster_id"] or row["id"],
                )
        return found

    def article_ids_for_aliases(self, urls: Iterable[str]) -> dict[str, str]:
        """``{url: article_id}`` for each URL recorded in ``aliases``."""
        wanted = list(dict.fromkeys(u for u in urls if u))
        found: dict[str, str] = {}
        for chunk, marks in in_chunks(wanted, _CHUNK):
            for row in self._iter_rows(
                f"SELECT url, article_id FROM aliases WHERE url IN ({marks})", chunk
            ):
                found[str(row["url"])] = str(row["article_id"])
        return found

    def known_pages(self, urls: Iterable[str]) -> dict[str, KnownPage]:
        """The archived articles among ``urls`` (by alias), with when they were last seen
        and the validators (ETag, Last-Modified) of their latest 2xx capture.

        A page of a multi-page article is known by its OWN latest capture (when and
        validators), not by the stitched article's other pages; a stitched article's
        page never archived under its URL is not known. One statement per 400 URLs
        (the re-crawl middleware asks once per response for all its links, issue 7)."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, KnownPage] = {}
        by_alias: dict[str, KnownPage] = {}
        for chunk, marks in in_chunks(wanted, _CHUNK):
            rows = self._iter_rows(
                "SELECT 0 AS by_alias, p.url, p.article_id, c.fetched_at AS seen, c.headers, "
                "NULL AS pages FROM pages p "
                "JOIN captures c ON c.id = (SELECT id FROM captures WHERE url = p.url "
                "AND status BETWEEN 200 AND 299 ORDER BY fetched_at DESC LIMIT 1) "
                f"WHERE p.url IN ({marks}) "
                "UNION ALL "
                "SELECT 1, al.url, a.id, a.last_seen_at, c.headers, a.pages FROM aliases al "
                "JOIN articles a ON a.id = al.article_id "
                "LEFT JOIN captures c ON c.id = (SELECT id FROM captures WHERE article_id = a.id "
                "AND status BETWEEN 200 AND 299 ORDER BY fetched_at DESC LIMIT 1) "
                f"WHERE al.url IN ({marks})",
                [*chunk, *chunk],
            )
            for row in rows:
                if row["by_alias"] and row["pages"] not in (None, "", "[]"):
                    # a stitched article's page never archived under this URL: not known
                    continue
                headers = decode_json(row["headers"]) or {}
                if not isinstance(headers, dict):
                    headers = {}
                url = str(row["url"])
                (by_alias if row["by_alias"] else found)[url] = KnownPage(
                    url,
                    str(row["article_id"]),
                    str(row["seen"]),
                    headers.get("etag"),
                    headers.get("last-modified"),
                )
        # a multi-page article's own page capture wins over the article the alias names
        return {
            url: found.get(url) or by_alias[url]
            for url in wanted
            if url in found or url in by_alias
        }

    def iter_article_captures(
        self, site: str | None = None, since: str | None = None, *, page: int = 500
    ) -> Iterator[dict[str, Any]]:
        """The latest 2xx capture of each archived article (for ``morgue reprocess``):
        ``{capture_id, article_id, canonical_url, cluster_id, url, final_url, fetched_at,
        headers, pages}``, in archive order (``pages``: the JSON text of ``articles.pages``).
        ``since`` keeps articles last seen at or after it (ISO-8601).

        Read ``page`` articles at a time, each page a query of its own resuming after the
        last article's rowid: no cursor stays open while the caller writes (reprocess
        writes versions between rows), and memory is a page's whatever the archive's size.
        """
        if page < 1:
            raise ValueError(f"page must be at least 1, not {page}")
        columns = (
            "a.rowid AS article_rowid, c.id AS capture_id, a.id AS article_id, "
            "a.canonical_url, a.cluster_id, c.url, c.final_url, c.fetched_at, c.headers, "
            "a.pages"
        )
        where, params = self._article_captures_where(site, since)
        sql = f"SELECT {columns} {where} AND a.rowid > ? ORDER BY a.rowid LIMIT ?"
        after = -(2**63)  # below any rowid
        while True:
            rows = list(self._iter_rows(sql, [*params, after, page], table="captures"))
            for row in rows:
                after = row.pop("article_rowid")
                yield row
            if len(rows) < page:
                return

    def count_article_captures(self, site: str | None = None, since: str | None = None) -> int:
        """How many rows :meth:`iter_article_captures` gives (reprocess's progress bar)."""
        where, params = self._article_captures_where(site, since)
        return int(self.conn.execute(f"SELECT COUNT(*) {where}", params).fetchone()[0])

    @staticmethod
    def _article_captures_where(site: str | None, since: str | None) -> tuple[str, list[Any]]:
        """``FROM ... WHERE ...`` of each archived article with its latest 2xx capture."""
        sql = (
            "FROM articles a "
            "JOIN captures c ON c.id = (SELECT id FROM captures WHERE article_id = a.id "
            "AND status BETWEEN 200 AND 299 AND body IS NOT NULL "
            "ORDER BY fetched_at DESC LIMIT 1) WHERE 1 = 1"
        )
        params: list[Any] = []
        if site:  # a host (any port), host:port or URL, as --site takes everywhere
            where, site_params = site_condition(site_key(site), "a.site")
            sql += f" AND {where}"
            params.extend(site_params)
        if since:
            sql += " AND a.last_seen_at >= ?"
            params.append(since)
        return sql, params
