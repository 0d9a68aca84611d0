"""Which articles a search or an export covers: one filter, one WHERE clause.

:class:`ArticleFilter` holds the options ``morgue search`` and ``morgue export``
share (``--site``, ``--since``, ``--until``, ``--captured-since``, ``--run``,
``--include-undated``, ``--author``, ``--section``, ``--cluster``) and turns them
into SQL over the ``articles`` table.

Dates compare as instants (issue 20), whatever form ``published_at`` has: a bare
date (``2018-09-15``) stands for that whole day, a time without a zone is read as
UTC, a UTC or offset time is that instant. A filter's bound is read the same way,
except that a bare date as ``--until`` (or ``until=``) means the end of that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from archive.errors import UsageError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: SQLite's canonical instant: UTC to the millisecond (``strftime('%f')`` gives SS.SSS).
_INSTANT_SQL = "%Y-%m-%dT%H:%M:%fZ"
#: Stored dates are near UTC; the coarse, indexable text bounds leave this much slack.
_SLACK = timedelta(days=2)


@dataclass(frozen=True)
class ArticleFilter:
    """Conditions on ``articles``; None means "any".

    ``since`` and ``until`` bound the publication instant (ISO-8601 dates or times,
    ``Z`` or an offset such as ``+02:00``; both inclusive; a bare date as ``until``
    covers that whole day). An article dated by a bare day matches when that day
    overlaps the range. Undated articles match no date bound unless
    ``include_undated``. ``captured_since`` keeps articles captured (first or again)
    at or after that instant (``last_seen_at``); ``run`` those a crawl run captured.
    ``site`` is a host (on any port), a ``host:port`` or a URL (its host and port).
    ``author`` matches one name of the ``authors`` JSON array exactly, case-insensitively.
    ``cluster`` is a ``cluster_id`` (or any article ID of the cluster).
    """

    site: str | None = None
    since: str | None = None
    until: str | None = None
    author: str | None = None
    section: str | None = None
    cluster: str | None = None
    captured_since: str | None = None
    run: str | None = None
    include_undated: bool = False

    def __post_init__(self) -> None:
        for name in ("since", "until", "captured_since"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_when(value, name.replace("_", "-")))
        if self.site is not None:
            object.__setattr__(self, "site", site_key(self.site))
        if self.since and self.until and self._bound("since") > self._bound("until"):
            raise UsageError(f"--since {self.since} is after --until {self.until}.")

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, False) for f in fields(self))

    def as_dict(self) -> dict[str, Any]:
        return {
            f.name: v for f in fields(self) if (v := getattr(self, f.name)) not in (None, False)
        }

    def _bound(self, name: str) -> str:
        value = getattr(self, name)
        return instant(value, end_of_day=name == "until")

    def where(self, alias: str = "articles") -> tuple[str, list[Any]]:
        """``(sql, params)``: conditions joined by AND ("1" when there are none)."""
        a = alias
        clauses: list[str] = []
        params: list[Any] = []
        if self.site is not None:
            site_sql, site_params = site_condition(self.site, f"{a}.site")
            clauses.append(site_sql)
            params.extend(site_params)
        dated, dated_params = self._dates(a)
        if dated:
            clauses.append(dated)
            params.extend(dated_params)
        if self.captured_since is not None:
            clauses.append(f"strftime('{_INSTANT_SQL}', {a}.last_seen_at) >= ?")
            params.append(instant(self.captured_since))
        if self.run is not None:
            clauses.append(
                f"EXISTS (SELECT 1 FROM captures rc WHERE rc.article_id = {a}.id AND rc.run_id = ?)"
            )
            params.append(self.run)
        if self.author is not None:
            clauses.append(
                f"EXISTS (SELECT 1 FROM json_each({a}.authors) "
                "WHERE json_each.value = ? COLLATE NOCASE)"
            )
            params.append(self.author)
        if self.section is not None:
            clauses.append(f"{a}.section = ? COLLATE NOCASE")
            params.append(self.section)
        if self.cluster is not None:
            clauses.append(
                f"{a}.cluster_id = coalesce("
                "(SELECT c.cluster_id FROM articles c WHERE c.id = ?), ?)"
            )
            params.extend([self.cluster, self.cluster])
        return (" AND ".join(clauses) or "1"), params

    def time_range(self, column: str) -> tuple[list[str], list[Any]]:
        """``since``/``until`` as conditions on another time column (``captures.fetched_at``,
        ``runs.started_at``: full UTC times), compared as instants: ``([sql], params)``."""
        clauses: list[str] = []
        params: list[Any] = []
        for name, op in (("since", ">="), ("until", "<=")):
            if getattr(self, name) is not None:
                clauses.append(f"strftime('{_INSTANT_SQL}', {column}) {op} ?")
                params.append(self._bound(name))
        return clauses, params

    def _dates(self, a: str) -> tuple[str, list[Any]]:
        """The publication-date condition: the article's span ``[start, end]`` (a bare day
        spans all of it) overlaps ``[since, until]``. A coarse text range on the raw
        column (two days of slack) lets the ``published_at`` index narrow it first."""
        if self.since is None and self.until is None:
            return "", []
        start = f"strftime('{_INSTANT_SQL}', {a}.published_at)"
        end = (
            f"strftime('{_INSTANT_SQL}', {a}.published_at, CASE WHEN length({a}.published_at) "
            "= 10 THEN '+86399.999 seconds' ELSE '+0 seconds' END)"
        )
        parts: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            bound = self._bound("since")
            parts.append(f"{a}.published_at >= ? AND {end} >= ?")
            params.extend([_shifted_day(bound, -_SLACK), bound])
        if self.until is not None:
            bound = self._bound("until")
            parts.append(f"{a}.published_at < ? AND {start} <= ?")
            params.extend([_shifted_day(bound, _SLACK), bound])
        sql = " AND ".join(parts)
        if self.include_undated:
            sql = f"(({sql}) OR {start} IS NULL)"
        return sql, params


def check_when(value: str, name: str = "date") -> str:
    """An ISO-8601 date or time, as given; a clear :class:`UsageError` otherwise."""
    text = value.strip()
    try:
        _parse(text)
    except ValueError as exc:
        raise UsageError(
            f"--{name} takes an ISO-8601 date or time (2025-03-01, 2025-03-01T08:00:00Z "
            f"or 2025-03-01T10:00:00+02:00), not {value!r}."
        ) from exc
    return text


def _parse(text: str) -> datetime:
    if _DAY.match(text):
        return datetime.combine(date.fromisoformat(text), time(), UTC)
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def instant(value: str, *, end_of_day: bool = False) -> str:
    """``value`` (a checked ISO-8601 date or time) as SQLite's UTC instant text, to the
    millisecond; a bare date is its first millisecond, or its last with ``end_of_day``.
    A time without a zone is UTC."""
    moment = _parse(value)
    if end_of_day and _DAY.match(value):
        moment += timedelta(days=1, milliseconds=-1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _shifted_day(bound: str, by: timedelta) -> str:
    return (date.fromisoformat(bound[:10]) + by).isoformat()


def site_key(value: str) -> str:
    """The ``articles.site`` a user means by ``value``: a host (``example.com``: any
    port), a ``host:port``, or a URL (its host, and its port unless the scheme's
    default). Lower-cased, as the crawl stores it."""
    text = value.strip()
    try:
        parts = urlsplit(text if "://" in text else "//" + text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError as exc:
        raise UsageError(
            f"--site takes a host, host:port or URL (example.com, 127.0.0.1:8765, "
            f"https://example.com/), not {value!r}."
        ) from exc
    if not host:
        raise UsageError(f"--site takes a host, host:port or URL, not {value!r}.")
    if ":" in host:  # an IPv6 literal, bracketed as in a URL
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if port is not None and port != default:
        return f"{host}:{port}"
    return host


def site_condition(site: str, column: str) -> tuple[str, list[Any]]:
    """``(sql, params)`` matching ``column`` against a :func:`site_key`: that exact
    ``host:port``, or a bare host on any port (``host`` or ``host:…``; ':' sorts just
    before ';', so an index on the column serves the range)."""
    if site_has_port(site):
        return f"{column} = ?", [site]
    return f"({column} = ? OR ({column} > ? AND {column} < ?))", [site, site + ":", site + ";"]


def site_has_port(site: str) -> bool:
    """Whether a :func:`site_key` names a port (``host:8765``, ``[::1]:9000``)."""
    return site.rpartition(":")[2].isdigit() and not site.endswith("]")
