"""``Archive.merge_shard``: fold one archive shard (one crawl worker's archive) into this one.

The rules (docs/merge.md has the long form):

* Every ID is content-derived, so the same row in two shards has the same key:
  articles by ``sha256(canonical_url)``, captures by :func:`pipelines.core.records.capture_id`,
  runs by their unique run ID, aliases by URL.
* **One shard, one transaction.** A merge killed or failing mid-shard leaves the target
  exactly as it was before that shard. Merging a shard twice changes nothing.
* **Same schema.** A shard at an older schema version is migrated in a temporary copy
  (the shard file itself is only read); a newer one is refused.
* **Article duplicates collapse as issue #4 defines**: one row per article, earliest
  ``first_seen_at``, latest ``last_seen_at``, versions of both sides in one history
  (:mod:`archive.merge.articles`); then ``duplicate_of`` and ``cluster_id`` are
  recomputed so they do not depend on which worker saw what (:mod:`archive.merge.dedup`).
* **Table by table.** :data:`archive.merge.tables.TABLE_RULES` names the rule for every
  table; column lists come from the schema itself (``PRAGMA table_info``), so a new
  column needs nothing and a new table needs one line there (a table without a rule is
  refused, and a test checks that every table of the current schema has one).

The run lock (``<archive>.lock``, :mod:`archive.lock`) is held on the
target while merging, so a crawl cannot start into it meanwhile; a target or shard that
a running crawl holds is refused with :class:`archive.errors.ArchiveLockedError`.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import connection, lock
from archive.base import ArchiveBase
from archive.errors import (
    ArchiveLockedError,
    ArchiveMissingError,
    NotAnArchiveError,
    SchemaOutdatedError,
    SchemaVersionError,
    UsageError,
)
from archive.merge import tables as merge_tables

if TYPE_CHECKING:
    from pipelines.neardup.settings import NearDupSettings

logger = logging.getLogger(__name__)

#: The attached shard's schema name inside the target connection.
SHARD = "shard"


@dataclass
class TableCounts:
    """What merging one shard did to one table of the target."""

    inserted: int = 0  # rows the target did not have
    updated: int = 0  # target rows that changed (reconciled, filled in, recomputed)
    unchanged: int = 0  # shard rows the target already held as they are
    skipped: int = 0  # shard rows that could not be merged (e.g. an alias of no article)

    def as_dict(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass
class MergeReport:
    """The outcome of one :meth:`MergeMixin.merge_shard`: counts per target table."""

    shard: str
    target: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    migrated_from: int | None = None  # the shard's schema version when it was older
    seconds: float = 0.0

    def table(self, name: str) -> TableCounts:
        return self.tables.setdefault(name, TableCounts())

    @property
    def changed(self) -> bool:
        """Whether the target changed at all."""
        return any(c.inserted or c.updated for c in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "shard": self.shard,
            "target": self.target,
            "changed": self.changed,
            "migrated_from": self.migrated_from,
            "seconds": round(self.seconds, 3),
            "tables": {name: counts.as_dict() for name, counts in sorted(self.tables.items())},
        }


class MergeMixin(ArchiveBase):
    def merge_shard(
        self, shard_path: str | Path, *, near_dup: NearDupSettings | None = None
    ) -> MergeReport:
        """Merge the archive at ``shard_path`` into this archive, in one transaction.

        Raises :class:`ArchiveMissingError` (no such shard), :class:`NotAnArchiveError`,
        :class:`SchemaVersionError` (a shard newer than this morgue),
        :class:`ArchiveLockedError` (a crawl holds the target or the shard) and
        :class:`UsageError` (the shard is this archive).
        """
        started = time.monotonic()
        shard = Path(shard_path)
        target_file = None if self.path == connection.MEMORY else Path(self.path).resolve()
        if not shard.exists():
            raise ArchiveMissingError(f"No shard at {shard}.")
        if target_file is not None and shard.resolve() == target_file:
            raise UsageError(f"{shard} is the target archive itself: nothing to merge.")
        if self.readonly:
            raise UsageError(f"Cannot merge into {self.path}: it is open read-only.")
        report = MergeReport(shard=str(shard), target=self.path)
        if near_dup is None:
            from pipelines.neardup.settings import NearDupSettings

            near_dup = NearDupSettings.default()
        settings = near_dup
        with (
            lock.held(self.path, "merge into"),
            _readable_shard(shard, report) as readable,
            self._attached(readable),
            self._write("merge a shard") as conn,
        ):
            merge_tables.merge_all(conn, SHARD, report, settings.params, settings.threshold)
        report.seconds = time.monotonic() - started
        logger.info("merged %s into %s in %.2fs", shard, self.path, report.seconds)
        return report

    @contextlib.contextmanager
    def _attached(self, path: Path) -> Iterator[None]:
        # A file target's connection takes URIs: the shard is attached read-only. An
        # in-memory target's does not (the name would be taken literally): plain path.
        uri = f"{path.resolve().as_uri()}?mode=ro"
        name = str(path.resolve()) if self.path == connection.MEMORY else uri
        try:
            self.conn.execute(f"ATTACH DATABASE ? AS {SHARD}", (name,))
        except sqlite3.DatabaseError as exc:
            connection.reraise(exc, path)
        try:
            yield
        finally:
            self.conn.execute(f"DETACH DATABASE {SHARD}")


@contextlib.contextmanager
def _readable_shard(shard: Path, report: MergeReport) -> Iterator[Path]:
    """The shard itself when it is a current archive, else a migrated temporary copy."""
    holder = lock.holder_of(shard)
    if holder is not None:
        raise ArchiveLockedError(
            f"The shard {shard} is still being written by a running crawl ({holder}). "
            "Merge it when that worker has finished."
        )
    from archive.archive import Archive

    try:
        Archive(shard, readonly=True).close()
        outdated = False
    except ArchiveMissingError as exc:
        raise ArchiveMissingError(f"No shard at {shard}.") from exc
    except SchemaOutdatedError:
        outdated = True  # older than this morgue: migrated in a copy below
    except SchemaVersionError as exc:
        raise SchemaVersionError(f"Cannot merge the shard: {exc}") from exc
    except NotAnArchiveError as exc:
        raise NotAnArchiveError(f"Cannot merge {shard}: {exc}") from exc
    if not outdated:
        yield shard
        return
    with tempfile.TemporaryDirectory(prefix="morgue-merge-") as folder:
        copy = Path(folder) / shard.name
        report.migrated_from = _copy_database(shard, copy)
        logger.info("shard %s is at schema v%d: migrating a copy", shard, report.migrated_from)
        Archive(copy).close()  # migrates the copy to the current schema
        yield copy


def _copy_database(source: Path, copy: Path) -> int:
    """Copy ``source`` (with any WAL content) to ``copy``; returns its schema version."""
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = int(reader.execute("PRAGMA user_version").fetchone()[0])
        writer = sqlite3.connect(copy)
        try:
            reader.backup(writer)
        finally:
            writer.close()
    except sqlite3.DatabaseError as exc:
        connection.reraise(exc, source)
    finally:
        reader.close()
    return version
