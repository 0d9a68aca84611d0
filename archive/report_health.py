"""The reads behind ``morgue report``'s health sections (issue 19): crawl and extraction.

Crawl health reads ``captures`` (the filter's dates bound ``fetched_at``, see
:meth:`ReportQueriesMixin.report_capture_where`); extraction health reads the
archived ``articles`` rows and the extraction counters each run recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from archive.filters import ArticleFilter
from archive.report_queries import ReportQueriesMixin

#: A body shorter than this many words counts as short (a broken template often leaves
#: only a teaser or the page's boilerplate).
LONG_BODY_WORDS = 150

STATUS_CLASSES = ("2xx", "304", "3xx", "4xx", "5xx", "failed")
_STATUS_CLASS = (
    "CASE WHEN c.status = 0 THEN 'failed' WHEN c.status = 304 THEN '304' "
    "WHEN c.status < 300 THEN '2xx' WHEN c.status < 400 THEN '3xx' "
    "WHEN c.status < 500 THEN '4xx' ELSE '5xx' END"
)
# (name, how many ISO characters, longest span in seconds it is used for)
_BUCKETS = (
    ("minute", 16, 3 * 3600),
    ("hour", 13, 4 * 86400),
    ("day", 10, 120 * 86400),
)
#: Extraction counters that count work done, not a problem (left out of the warnings).
_NOT_WARNINGS = (
    "morgue/extract/articles",
    "morgue/extract/batches",
    "morgue/extract/workers",
    "morgue/extract/worker_cpu_s",
)
_PROBLEMS = (
    ("no publication date", "a.published_at IS NULL"),
    ("date text not understood", "a.published_at IS NULL AND a.published_raw IS NOT NULL"),
    ("no author", "a.authors IN ('[]', '')"),
    (f"body under {LONG_BODY_WORDS} words", f"a.word_count < {LONG_BODY_WORDS}"),
    ("no title", "coalesce(a.title, '') = ''"),
    ("pages of a multi-page article missing", "coalesce(a.pages_missing, 0) > 0"),
)


class ReportHealthMixin(ReportQueriesMixin):
    # -- crawl health --------------------------------------------------------------------
    def report_captures_over_time(self, filters: ArticleFilter | None = None) -> dict[str, Any]:
        """Captures per period of ``fetched_at`` and status class (:data:`STATUS_CLASSES`;
        ``failed`` is no response at all). The period is the finest of minute, hour, day
        and week that keeps the crawl's span readable.
        ``{"period": name, "rows": [{period, status, captures}]}``."""
        where, params = self.report_capture_where(filters, "c")
        span = self._rows(
            f"SELECT min(c.fetched_at) AS lo, max(c.fetched_at) AS hi FROM captures c "
            f"WHERE {where}",
            params,
        )[0]
        seconds = _seconds_between(span["lo"], span["hi"]) if span["lo"] else 0.0
        name, bucket = "week", "date(substr(c.fetched_at, 1, 10), 'weekday 0', '-6 days')"
        for candidate, width, longest in _BUCKETS:
            if seconds <= longest:
                name, bucket = candidate, f"substr(c.fetched_at, 1, {width})"
                break
        rows = self._rows(
            f"SELECT {bucket} AS period, {_STATUS_CLASS} AS status, count(*) AS captures "
            f"FROM captures c WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        )
        return {"period": name, "rows": [r for r in rows if r["period"] is not None]}

    def report_failures(
        self, filters: ArticleFilter | None = None, *, limit: int = 15
    ) -> list[dict[str, Any]]:
        """Failed fetches (no response, or an HTTP error status) by reason, most first:
        ``[{reason, captures}]``; the reason is the ``error`` up to its first colon
        (``TimeoutError``, ``HTTP 404``, ``Refused by the private-network guard``)."""
        where, params = self.report_capture_where(filters, "c")
        return self._rows(
            "SELECT CASE WHEN instr(c.error, ':') > 0 THEN substr(c.error, 1, "
            "instr(c.error, ':') - 1) ELSE coalesce(c.error, 'HTTP ' || c.status) END "
            "AS reason, count(*) AS captures FROM captures c "
            f"WHERE (c.error IS NOT NULL OR c.status = 0 OR c.status >= 400) AND {where} "
            "GROUP BY 1 ORDER BY captures DESC, reason LIMIT ?",
            [*params, limit],
        )

    def report_recrawls(self, filters: ArticleFilter | None = None) -> list[dict[str, Any]]:
        """Re-crawls per run: captures of an article page whose URL was fetched before,
        split into ``not_modified`` (a 304 answer), ``unchanged`` (a full answer that made
        no new version) and ``changed`` (it did), with their run's start.
        ``[{run_id, started_at, recrawls, not_modified, unchanged, changed}]``, oldest run
        first; runs without a re-crawl are left out."""
        where, params = self.report_capture_where(filters, "s")
        return self._rows(
            "WITH seen AS (SELECT c.id, c.run_id, c.status, c.fetched_at, c.url, c.article_id, "
            "row_number() OVER (PARTITION BY c.url ORDER BY c.fetched_at, c.id) AS n "
            "FROM captures c WHERE c.article_id IS NOT NULL), "
            "again AS (SELECT s.run_id, s.status, EXISTS (SELECT 1 FROM versions v "
            f"WHERE v.capture_id = s.id) AS made_version FROM seen s WHERE s.n > 1 AND {where}) "
            "SELECT g.run_id, r.started_at, count(*) AS recrawls, "
            "sum(g.status = 304) AS not_modified, "
            "sum(g.status != 304 AND NOT g.made_version) AS unchanged, "
            "sum(g.status != 304 AND g.made_version) AS changed "
            "FROM again g LEFT JOIN runs r ON r.id = g.run_id "
            "GROUP BY g.run_id ORDER BY min(r.started_at), g.run_id",
            params,
        )

    # -- extraction health ---------------------------------------------------------------
    def report_extraction(
        self, filters: ArticleFilter | None = None, *, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Per site (the ``limit`` with most articles): ``[{site, articles, dated, authored,
        long_body}]``, the counts of articles with a publication date, at least one author
        and a body of at least :data:`LONG_BODY_WORDS` words."""
        where, params = (filters or ArticleFilter()).where("a")
        return self._rows(
            "SELECT a.site, count(*) AS articles, sum(a.published_at IS NOT NULL) AS dated, "
            "sum(a.authors NOT IN ('[]', '')) AS authored, "
            f"sum(a.word_count >= {LONG_BODY_WORDS}) AS long_body "
            f"FROM articles a WHERE {where} GROUP BY a.site ORDER BY articles DESC, a.site "
            "LIMIT ?",
            [*params, limit],
        )

    def report_problems(self, filters: ArticleFilter | None = None) -> list[dict[str, Any]]:
        """What the archived rows lack, most frequent first: ``[{problem, articles}]``
        (problems no article has are left out)."""
        where, params = (filters or ArticleFilter()).where("a")
        sums = ", ".join(f"sum({test}) AS p{i}" for i, (_, test) in enumerate(_PROBLEMS))
        row = self._rows(f"SELECT {sums} FROM articles a WHERE {where}", params)[0]
        found = [
            {"problem": name, "articles": row[f"p{i}"] or 0}
            for i, (name, _) in enumerate(_PROBLEMS)
        ]
        return sorted((p for p in found if p["articles"]), key=lambda p: -p["articles"])

    def report_run_warnings(
        self, filters: ArticleFilter | None = None, *, limit: int = 12
    ) -> list[dict[str, Any]]:
        """The extraction counters the crawl runs recorded (``morgue/extract/...`` in
        ``runs.stats``, summed over runs; work counters left out), most first:
        ``[{counter, count}]``. Filtered by date, only runs that started in the range
        (a run's counters are not split by site)."""
        filters = filters or ArticleFilter()
        clauses, params = filters.time_range("r.started_at")  # instants (#20)
        clauses.append("1")
        skip = ", ".join("?" * len(_NOT_WARNINGS))
        return self._rows(
            "SELECT j.key AS counter, sum(j.value) AS count FROM runs r, json_each("
            "CASE WHEN json_valid(r.stats) THEN r.stats ELSE '{}' END) j "
            f"WHERE j.key LIKE 'morgue/extract/%' AND j.key NOT IN ({skip}) "
            f"AND j.type = 'integer' AND {' AND '.join(clauses)} "
            "GROUP BY j.key HAVING sum(j.value) > 0 ORDER BY count DESC, counter LIMIT ?",
            [*_NOT_WARNINGS, *params, limit],
        )


def _seconds_between(lo: str, hi: str) -> float:
    try:
        start = datetime.fromisoformat(lo.replace("Z", "+00:00"))
        end = datetime.fromisoformat(hi.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (end - start).total_seconds()
