"""Which articles a search or an export covers: one filter, one WHERE clause.

:class:`ArticleFilter` holds the options ``morgue search`` and ``morgue export``
share (``--site``, ``--since``, ``--until``, ``--author``, ``--section``,
``--cluster``) and turns them into SQL over the ``articles`` table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from archive.errors import UsageError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ArticleFilter:
    """Conditions on ``articles``; None means "any".

    ``since`` and ``until`` bound ``published_at`` (ISO-8601 dates or times,
    both inclusive; a bare date as ``until`` covers that whole day).
    ``author`` matches one name of the ``authors`` JSON array exactly, case-insensitively.
    ``cluster`` is a ``cluster_id`` (or any article ID of the cluster).
    """

    site: str | None = None
    since: str | None = None
    until: str | None = None
    author: str | None = None
    section: str | None = None
    cluster: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_when(value, name))
        if self.since and self.until and self.since > self.until:
            raise UsageError(f"--since {self.since} is after --until {self.until}.")

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def as_dict(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    def where(self, alias: str = "articles") -> tuple[str, list[Any]]:
        """``(sql, params)``: conditions joined by AND ("1" when there are none)."""
        a = alias
        clauses: list[str] = []
        params: list[Any] = []
        if self.site is not None:
            clauses.append(f"{a}.site = ?")
            params.append(self.site)
        if self.since is not None:
            clauses.append(f"{a}.published_at >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append(f"{a}.published_at <= ?")
            # a bare day covers all of it: '2025-03-01T…' sorts before '2025-03-01~'
            params.append(self.until + "~" if _DAY.match(self.until) else self.until)
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


def check_when(value: str, name: str = "date") -> str:
    """An ISO-8601 date or time, as given; a clear :class:`UsageError` otherwise."""
    text = value.strip()
    try:
        if _DAY.match(text):
            date.fromisoformat(text)
        else:
            datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(
            f"--{name} takes an ISO-8601 date or time (2025-03-01 or 2025-03-01T08:00:00Z), "
            f"not {value!r}."
        ) from exc
    return text
