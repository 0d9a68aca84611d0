"""Archive statistics: articles per site, month and day; duplicates; captures; runs."""

from __future__ import annotations

from typing import Any

from archive.base import ArchiveBase

UNKNOWN = "(unknown)"
#: Each run's counts in ``stats()["runs"]``, from the crawl's counters (pipelines/store.py).
RUN_COUNTERS = {
    "pages": "morgue/store/captures",
    "new": "morgue/store/articles_new",
    "changed": "morgue/store/articles_changed",
    "unchanged": "morgue/store/articles_unchanged",
    "errors": "morgue/store/failed_fetches",
}


class StatsMixin(ArchiveBase):
    def stats(self, *, runs: int = 5, days: int = 14, months: int = 24) -> dict[str, Any]:
        """Everything ``morgue stats`` shows, as one dict.

        ``{"path", "schema_version",
        "totals": {articles, captures, links, runs, duplicates, clusters, versions},
        "sites": [{site, articles, first_seen_at, last_seen_at}],
        "months": [{month, articles}]`` (by ``published_at``, newest ``months`` first),
        ``"days": [{day, articles}]`` (the newest ``days`` days that have articles),
        ``"clusters": [{cluster_id, articles, title}]`` (the largest ones with copies),
        ``"captures_by_status": [{status, captures}],
        "runs": [{id, spider, started_at, finished_at, finish_reason, args, settings, stats,
        pages, new, changed, unchanged, errors}]}`` (the counts are the run's own counters;
        a run without them, killed or still running, gets pages and errors counted from its
        captures and None for the rest).
        Articles without a publication date count under ``"(unknown)"``.
        """
        totals = {
            table: self._rows(f"SELECT count(*) AS n FROM {table}")[0]["n"]
            for table in ("articles", "captures", "links", "runs", "versions")
        }
        totals["duplicates"] = self._rows(
            "SELECT count(*) AS n FROM articles WHERE duplicate_of IS NOT NULL"
        )[0]["n"]
        totals["clusters"] = self._rows(
            "SELECT count(*) AS n FROM (SELECT cluster_id FROM articles "
            "WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) > 1)"
        )[0]["n"]
        return {
            "path": self.path,
            "schema_version": self.schema_version,
            "totals": totals,
            "sites": self._rows(
                "SELECT site, count(*) AS articles, min(first_seen_at) AS first_seen_at, "
                "max(last_seen_at) AS last_seen_at FROM articles GROUP BY site "
                "ORDER BY articles DESC, site"
            ),
            "months": self._per_period(7, months),
            "days": self._per_period(10, days),
            "clusters": self._rows(
                "SELECT cluster_id, count(*) AS articles, "
                "(SELECT title FROM articles c WHERE c.id = articles.cluster_id) AS title "
                "FROM articles WHERE cluster_id IS NOT NULL GROUP BY cluster_id "
                "HAVING count(*) > 1 ORDER BY articles DESC, cluster_id LIMIT 10"
            ),
            "captures_by_status": self._rows(
                "SELECT status, count(*) AS captures FROM captures GROUP BY status ORDER BY status"
            ),
            "runs": [
                self._run_counts(row)
                for row in self._iter_rows(
                    "SELECT id, spider, started_at, finished_at, finish_reason, args, settings, "
                    "stats FROM runs ORDER BY coalesce(started_at, finished_at) DESC, id DESC "
                    "LIMIT ?",
                    (runs,),
                    table="runs",
                )
            ],
        }

    def _run_counts(self, run: dict[str, Any]) -> dict[str, Any]:
        """``run`` with ``pages``, ``new``, ``changed``, ``unchanged`` and ``errors``: the
        run's own counters (what its summary said), or, for a run without them (killed,
        still running), pages and errors counted from its captures and the rest None."""
        stats = run.get("stats")
        counters: dict[str, Any] = stats if isinstance(stats, dict) else {}
        if RUN_COUNTERS["pages"] in counters:
            for key, name in RUN_COUNTERS.items():
                run[key] = int(counters.get(name) or 0)
            return run
        row = self._rows(
            "SELECT count(*) AS pages, count(error) AS errors FROM captures WHERE run_id = ?",
            (run["id"],),
        )[0]
        run.update(pages=row["pages"], new=None, changed=None, unchanged=None)
        run["errors"] = row["errors"]
        return run

    def _per_period(self, width: int, limit: int) -> list[dict[str, Any]]:
        """Articles per ``published_at`` prefix of ``width`` characters, newest first."""
        key = "month" if width == 7 else "day"
        return self._rows(
            f"SELECT coalesce(substr(published_at, 1, {width}), ?) AS {key}, "
            f"count(*) AS articles FROM articles GROUP BY 1 ORDER BY {key} = ?, {key} DESC LIMIT ?",
            (UNKNOWN, UNKNOWN, limit),
        )
