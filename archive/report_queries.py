"""The reads behind ``morgue report`` (issue 19): what is in the archive and how it spread.

Each method answers one chart or table of the report with plain rows (dicts of
numbers and strings), so :mod:`archive.report` draws without issuing SQL. Every
method takes an :class:`ArticleFilter`; crawl-side methods (captures, runs) live
in :mod:`archive.report_health` and read the filter's dates as fetch times.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from archive.base import ArchiveBase, in_chunks
from archive.filters import ArticleFilter, site_condition, site_has_port

#: The timeline draws one line per site for this many sites, the rest as one "other" line.
TOP_SITES = 10
OTHER = "other"
#: Up to this many days between the first and last publication date: one point a day.
DAILY_SPAN_DAYS = 92
# Monday of the week of an ISO date: 'weekday 0' moves on to Sunday (or stays), then back 6.
_WEEK = "date(substr({col}, 1, 10), 'weekday 0', '-6 days')"


class ReportQueriesMixin(ArchiveBase):
    # -- summary -------------------------------------------------------------------------
    def report_summary(self, filters: ArticleFilter | None = None) -> dict[str, Any]:
        """``{articles, sites, undated, first_published, last_published, captures, runs,
        size_bytes}``. Unfiltered, articles, captures and runs are ``morgue stats``' totals
        and sites its number of site rows; filtered, captures are those
        :meth:`report_capture_where` keeps and runs the runs that made them."""
        filters = filters or ArticleFilter()
        where, params = filters.where("a")
        # one aggregate each, so each can be answered from an index (site, published_at)
        row = self._rows(
            f"SELECT (SELECT count(*) FROM articles a WHERE {where}) AS articles, "
            f"(SELECT count(DISTINCT a.site) FROM articles a WHERE {where}) AS sites, "
            f"(SELECT count(*) FROM articles a WHERE {where} AND a.published_at IS NULL) "
            f"AS undated, (SELECT min(a.published_at) FROM articles a WHERE {where}) "
            f"AS first_published, (SELECT max(a.published_at) FROM articles a WHERE {where}) "
            "AS last_published",
            params * 5,
        )[0]
        if filters.active:
            cwhere, cparams = self.report_capture_where(filters, "c")
            counts = self._rows(
                "SELECT count(*) AS captures, count(DISTINCT c.run_id) AS runs "
                f"FROM captures c WHERE {cwhere}",
                cparams,
            )[0]
        else:
            counts = self._rows(
                "SELECT (SELECT count(*) FROM captures) AS captures, "
                "(SELECT count(*) FROM runs) AS runs"
            )[0]
        row.update(counts)
        row["size_bytes"] = self.report_size_bytes()
        return row

    def report_size_bytes(self) -> int:
        """The archive's size on disk: the database file and its write-ahead log
        (``page_count * page_size`` for an in-memory archive)."""
        path = Path(self.path)
        if self.path != ":memory:" and path.exists():
            wal = path.with_name(path.name + "-wal")
            return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        size = self.conn.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)

    def report_sites(
        self, filters: ArticleFilter | None = None, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The ``limit`` sites with most articles: ``[{site, articles}]``, most first (ties
        by name); counted on the site index."""
        where, params = (filters or ArticleFilter()).where("a")
        return self._rows(
            f"SELECT a.site, count(*) AS articles FROM articles a WHERE {where} "
            "GROUP BY a.site ORDER BY articles DESC, a.site LIMIT ?",
            [*params, limit],
        )

    # -- articles over time --------------------------------------------------------------
    def report_timeline(
        self, filters: ArticleFilter | None = None, *, top: int = TOP_SITES
    ) -> dict[str, Any]:
        """Articles published per day (per week, Mondays, when the dates span more than
        :data:`DAILY_SPAN_DAYS` days), one series per site for the ``top`` sites with the
        most dated articles and one ``"other"`` series for the rest.

        ``{"period": "day"|"week", "sites": [{site, articles}] (largest first, "other"
        last), "rows": [{period, site, articles}] (by period), "undated": n}``.
        """
        where, params = (filters or ArticleFilter()).where("a")
        span = self._rows(
            f"SELECT (SELECT min(a.published_at) FROM articles a WHERE {where}) AS lo, "
            f"(SELECT max(a.published_at) FROM articles a WHERE {where}) AS hi, "
            f"(SELECT count(*) FROM articles a WHERE {where} AND a.published_at IS NULL) "
            "AS undated",
            params * 3,
        )[0]
        period = "day"
        if span["lo"] and _days_between(span["lo"], span["hi"]) > DAILY_SPAN_DAYS:
            period = "week"
        bucket = (
            "substr(a.published_at, 1, 10)"
            if period == "day"
            else _WEEK.format(col="a.published_at")
        )
        counts = self._rows(
            f"SELECT {bucket} AS period, a.site AS site, count(*) AS articles FROM articles a "
            f"WHERE {where} AND a.published_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1",
            params,
        )
        totals: dict[str, int] = defaultdict(int)
        for row in counts:
            if row["period"] is not None:
                totals[row["site"]] += row["articles"]
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = {site for site, _ in ranked[:top]}
        merged: dict[tuple[str, str], int] = defaultdict(int)
        for row in counts:
            if row["period"] is None:  # a published_at SQLite cannot read as a date
                continue
            site = row["site"] if row["site"] in kept else OTHER
            merged[(row["period"], site)] += row["articles"]
        sites = [{"site": s, "articles": n} for s, n in ranked[:top]]
        rest = sum(n for _, n in ranked[top:])
        if rest:
            sites.append({"site": OTHER, "articles": rest})
        rows = [{"period": p, "site": s, "articles": n} for (p, s), n in sorted(merged.items())]
        return {"period": period, "sites": sites, "rows": rows, "undated": span["undated"] or 0}

    # -- syndication ---------------------------------------------------------------------
    def report_cluster_sizes(self, filters: ArticleFilter | None = None) -> list[dict[str, Any]]:
        """How many near-duplicate clusters have each size: ``[{size, clusters}]``, size 1
        (a story with no copy) included, smallest first. Sizes count the articles the
        filters keep."""
        where, params = (filters or ArticleFilter()).where("a")
        # grouped on cluster_id alone (its index covers that); an article without one is
        # a cluster of its own
        rows = self._rows(
            "SELECT size, count(*) AS clusters FROM (SELECT count(*) AS size FROM articles a "
            f"WHERE {where} AND a.cluster_id IS NOT NULL GROUP BY a.cluster_id) "
            "GROUP BY size ORDER BY size",
            params,
        )
        alone = self._rows(
            f"SELECT count(*) AS n FROM articles a WHERE {where} AND a.cluster_id IS NULL", params
        )[0]["n"]
        if alone:
            if rows and rows[0]["size"] == 1:
                rows[0]["clusters"] += alone
            else:
                rows.insert(0, {"size": 1, "clusters": alone})
        return rows

    def report_most_copied(
        self, filters: ArticleFilter | None = None, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The ``limit`` largest clusters with copies (ties by cluster ID): ``[{cluster_id,
        copies, sites (list, by first appearance), first_seen_at, first_id, title, url}]``,
        where ``first_*`` is the copy seen first (its ID is what ``morgue show`` takes);
        largest first, then first seen first."""
        where, params = (filters or ArticleFilter()).where("a")
        # counted on the cluster_id index; first_seen_at (read from the members) would make
        # SQLite read every article row whole
        clusters = self._rows(
            "SELECT a.cluster_id, count(*) AS copies FROM articles a "
            f"WHERE {where} AND a.cluster_id IS NOT NULL GROUP BY a.cluster_id "
            "HAVING count(*) > 1 ORDER BY copies DESC, a.cluster_id LIMIT ?",
            [*params, limit],
        )
        members: dict[str, list[dict[str, Any]]] = defaultdict(list)
        ids = [c["cluster_id"] for c in clusters]
        for chunk, marks in in_chunks(ids):
            for row in self._iter_rows(
                "SELECT a.cluster_id, a.id, a.site, a.title, a.url, a.first_seen_at "
                f"FROM articles a WHERE a.cluster_id IN ({marks}) AND {where} "
                "ORDER BY a.first_seen_at, a.id",
                [*chunk, *params],
            ):
                members[row["cluster_id"]].append(row)
        for cluster in clusters:
            rows = members[cluster["cluster_id"]]
            first = rows[0] if rows else {}
            cluster["first_seen_at"] = first.get("first_seen_at")
            cluster["sites"] = list(dict.fromkeys(r["site"] for r in rows))
            cluster["first_id"] = first.get("id")
            cluster["title"] = first.get("title")
            cluster["url"] = first.get("url")
        return sorted(
            clusters, key=lambda c: (-c["copies"], c["first_seen_at"] or "", c["cluster_id"])
        )

    # -- the related-post network --------------------------------------------------------
    def report_network(
        self, filters: ArticleFilter | None = None, *, hubs: int = 10
    ) -> dict[str, Any]:
        """The related-post network between archived articles that pass the filters:

        ``{"site_links": [{source, target, links}]`` (links summed per pair of sites,
        ``source == target`` for links within a site, most first),
        ``"distribution": [{degree, articles}]`` (how many articles have each in-degree,
        i.e. are linked to by that many other articles; 0 included),
        ``"hubs": [{id, title, site, url, in_degree, from_sites}]}`` (the ``hubs`` articles
        with the highest in-degree, ties by ID).

        One pass over ``links`` with the articles' sites in memory (an ID and a site per
        article, a set of linked pairs): joining each of a large archive's links to two
        article rows in SQL took seconds per chart."""
        filters = filters or ArticleFilter()
        where, params = filters.where("a")
        index: dict[str, int] = {}
        site_of: list[int] = []
        site_ids: dict[str, int] = {}
        for article_id, site in self.conn.execute(
            f"SELECT a.id, a.site FROM articles a WHERE {where}", params
        ):
            index[article_id] = len(site_of)
            site_of.append(site_ids.setdefault(site, len(site_ids)))
        count = len(site_of)
        degree = [0] * count
        seen: set[int] = set()
        pairs: Counter[tuple[int, int]] = Counter()
        for source_id, target_id in self.conn.execute(
            "SELECT source_id, target_id FROM links WHERE kind = 'related' "
            "AND target_id IS NOT NULL AND source_id != target_id"
        ):
            source, target = index.get(source_id), index.get(target_id)
            if source is None or target is None:
                continue
            pairs[(site_of[source], site_of[target])] += 1
            key = source * count + target
            if key not in seen:
                seen.add(key)
                degree[target] += 1
        del seen
        names = list(site_ids)
        ids = list(index)
        top = heapq.nsmallest(
            hubs, (i for i in range(count) if degree[i]), key=lambda i: (-degree[i], ids[i])
        )
        return {
            "site_links": [
                {"source": names[s], "target": names[t], "links": n}
                for (s, t), n in sorted(
                    pairs.items(), key=lambda kv: (-kv[1], names[kv[0][0]], names[kv[0][1]])
                )
            ],
            "distribution": [
                {"degree": d, "articles": n} for d, n in sorted(Counter(degree).items())
            ],
            "hubs": self._hubs([ids[i] for i in top], filters),
        }

    def _hubs(self, ids: list[str], filters: ArticleFilter) -> list[dict[str, Any]]:
        """The hubs' rows, in ``ids`` order, with their in-degree and source sites."""
        if not ids:
            return []
        swhere, sparams = filters.where("s")
        marks = ", ".join("?" * len(ids))
        rows = self._rows(
            "SELECT l.target_id AS id, t.title, t.site, t.url, "
            "count(DISTINCT l.source_id) AS in_degree, count(DISTINCT s.site) AS from_sites "
            "FROM links l JOIN articles s ON s.id = l.source_id "
            "JOIN articles t ON t.id = l.target_id "
            f"WHERE l.target_id IN ({marks}) AND l.kind = 'related' "
            f"AND l.source_id != l.target_id AND {swhere} GROUP BY l.target_id",
            [*ids, *sparams],
        )
        order = {article_id: i for i, article_id in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r["id"]])

    # -- captures and runs (their filter) ------------------------------------------------
    def report_capture_where(
        self, filters: ArticleFilter | None = None, alias: str = "c"
    ) -> tuple[str, list[Any]]:
        """The filter read for captures: ``since``/``until`` bound ``fetched_at``, ``site``
        keeps captures of that site's articles and of URLs on that host."""
        filters = filters or ArticleFilter()
        c = alias
        clauses: list[str] = []
        params: list[Any] = []
        clauses, params = filters.time_range(f"{c}.fetched_at")  # instants (#20)
        if filters.site is not None:  # a site_key: host:port, or a host on any port (#20)
            site_sql, site_params = site_condition(filters.site, "site")
            urls = [f"{scheme}://{filters.site}" for scheme in ("http", "https")]
            if not site_has_port(filters.site):
                urls += [f"{url}:%" for url in urls]
            matches = " OR ".join(
                f"{c}.url = ? OR {c}.url LIKE ?" if not url.endswith("%") else f"{c}.url LIKE ?"
                for url in urls
            )
            clauses.append(
                f"({c}.article_id IN (SELECT id FROM articles WHERE {site_sql}) OR {matches})"
            )
            params.extend(site_params)
            for url in urls:
                params.extend([url] if url.endswith("%") else [url, url + "/%"])
        return (" AND ".join(clauses) or "1"), params

    def report_runs(self, filters: ArticleFilter | None = None) -> list[dict[str, Any]]:
        """The crawl runs, oldest first: ``[{id, started_at, finished_at, finish_reason,
        captures}]``; filtered, only runs that made a capture the filter keeps."""
        filters = filters or ArticleFilter()
        cwhere, cparams = self.report_capture_where(filters, "c")
        rows = self._rows(
            "SELECT r.id, r.started_at, r.finished_at, r.finish_reason, "
            f"(SELECT count(*) FROM captures c WHERE c.run_id = r.id AND {cwhere}) AS captures "
            "FROM runs r ORDER BY coalesce(r.started_at, r.finished_at), r.id",
            cparams,
        )
        if filters.active:
            rows = [row for row in rows if row["captures"]]
        return rows


def _days_between(lo: str, hi: str) -> int:
    try:
        return (date.fromisoformat(hi[:10]) - date.fromisoformat(lo[:10])).days
    except ValueError:
        return 0
