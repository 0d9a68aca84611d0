"""morgue's one timestamp format: ISO-8601 UTC with microseconds and a Z."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now_iso() -> str:
    """Now, as ISO-8601 UTC with microseconds and a ``Z``: morgue's one timestamp format."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
