"""Read WARC records for ``morgue import`` (docs/warc.md): what each record is to morgue.

:func:`read_source` walks one WARC stream (``.warc``, ``.warc.gz``, or a WACZ's member)
with warcio and yields, in file order:

* :class:`WarcPage`: an HTTP ``response`` (its body read, decoded of chunking and
  ``Content-Encoding``) or a ``revisit`` (no body: :class:`RevisitRef` names the original);
* :class:`Skipped`: any other record, a non-HTTP or non-HTML response, one over the size
  limit; the reason is a stats key;
* :class:`Broken`: a record that could not be read (bad headers, a truncated gzip member,
  a digest that does not match). Reading then goes on at the next record boundary (the
  next gzip member, or the next ``WARC/`` line), so the rest of the file still imports.

A body is read only for an HTML response and only up to ``max_body`` bytes; every other
payload is streamed past in blocks, so memory stays flat whatever the records hold.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pipelines.core.records import WarcOrigin

#: The WARC files a WACZ holds (its ``archive/`` folder).
WACZ_ARCHIVE_DIR = "archive/"
WARC_SUFFIXES = (".warc", ".warc.gz", ".wacz")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_BLOCK = 1 << 16
#: Response headers that described the bytes on the wire, not the body as kept (warcio
#: decodes chunking and Content-Encoding, as Scrapy does before a crawl keeps a body).
_WIRE_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})


@dataclass(frozen=True)
class Source:
    """One WARC stream: a file, or a member of a WACZ (``label`` is ``file.wacz#member``)."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}#{self.member}" if self.member else str(self.path)

    def size(self) -> int:
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as wacz:
            return wacz.getinfo(self.member).file_size

    def open(self) -> AbstractContextManager[IO[bytes]]:
        if self.member is None:
            return self.path.open("rb")
        return _ZipMember(self.path, self.member)


class _ZipMember:
    """A WACZ member opened for reading (seekable: Python emulates it)."""

    def __init__(self, path: Path, member: str) -> None:
        self._zip = zipfile.ZipFile(path)
        self._stream: IO[bytes] = self._zip.open(member)

    def __enter__(self) -> IO[bytes]:
        return self._stream

    def __exit__(self, *exc: object) -> None:
        self._stream.close()
        self._zip.close()


def wacz_members(path: Path) -> list[str]:
    """The WARC files inside a WACZ, in name order."""
    with zipfile.ZipFile(path) as wacz:
        names = wacz.namelist()
    return sorted(
        n for n in names if n.startswith(WACZ_ARCHIVE_DIR) and n.endswith((".warc", ".warc.gz"))
    )


@dataclass(frozen=True)
class RevisitRef:
    """What a ``revisit`` record names as its original (any may be missing)."""

    record_id: str | None  # WARC-Refers-To
    url: str | None  # WARC-Refers-To-Target-URI
    fetched_at: str | None  # WARC-Refers-To-Date, as morgue writes timestamps


@dataclass
class WarcPage:
    origin: WarcOrigin
    url: str
    fetched_at: str
    status: int
    headers: dict[str, str]
    body: bytes  # b"" for a revisit
    revisit: RevisitRef | None = None


@dataclass(frozen=True)
class Skipped:
    reason: str


@dataclass(frozen=True)
class Broken:
    origin: WarcOrigin
    target_uri: str | None
    error: str


Entry = WarcPage | Skipped | Broken


def morgue_time(warc_date: str | None) -> str | None:
    """A WARC-Date (ISO-8601, second or finer) as morgue's timestamp, or None if unreadable."""
    if not warc_date:
        return None
    try:
        when = datetime.fromisoformat(warc_date.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_source(
    source: Source,
    *,
    max_body: int,
    is_html: Callable[[str | None], bool | None],
    advance: Callable[[int], None] | None = None,
) -> Iterator[Entry]:
    """Every record of ``source`` as an :data:`Entry`. ``advance(n)``: n more bytes read.

    ``is_html(content_type)``: True or False, or None when the body must decide (no
    Content-Type); then the first bytes are sniffed by the caller's rule (a ``<``)."""
    start = 0
    done = 0
    while start >= 0:
        with source.open() as stream:
            restart = yield from _read_from(stream, start, source.label, max_body, is_html)
            if restart.error is not None:
                origin = WarcOrigin(source.label, None, restart.at)
                yield Broken(origin, None, restart.error)
                start = _next_boundary(stream, restart.at + 1)
            else:
                start = -1
            end = start if start >= 0 else restart.end
        if advance is not None and end > done:
            advance(end - done)
        done = max(done, end)


@dataclass(frozen=True)
class _Stop:
    """Why reading stopped: at the end (``end``), or on an error at offset ``at``."""

    end: int = 0
    at: int = 0
    error: str | None = None


def _read_from(
    stream: IO[bytes],
    start: int,
    label: str,
    max_body: int,
    is_html: Callable[[str | None], bool | None],
) -> Generator[Entry, None, _Stop]:
    """Records from ``start`` on, until the end of the stream or the first unreadable one."""
    from warcio.archiveiterator import ArchiveIterator

    stream.seek(start)
    iterator = ArchiveIterator(stream, check_digests=True)
    records = iter(iterator)
    while True:
        offset = int(iterator.offset)  # where the next record starts
        try:
            record = next(records)
        except StopIteration:
            break
        except Exception as exc:  # noqa: BLE001 - a broken record is counted, the rest read
            return _Stop(end=_size(stream), at=offset, error=_describe(exc))
        try:
            entry = _entry(record, label, offset, max_body, is_html)
            iterator.read_to_end(record)
        except Exception as exc:  # noqa: BLE001 - e.g. a body that does not decode
            return _Stop(end=_size(stream), at=offset, error=_describe(exc))
        missing = int(getattr(record.raw_stream, "limit", 0) or 0)
        if missing > 0:  # the file ends inside this record
            target = entry.url if isinstance(entry, WarcPage) else None
            yield Broken(WarcOrigin(label, _record_id(record), offset), target, "truncated record")
            return _Stop(end=_size(stream))
        problem = _digest_problem(record)
        if problem and isinstance(entry, WarcPage):
            yield Broken(entry.origin, entry.url, problem)
        else:
            yield entry
    end = int(iterator.offset)
    size = _size(stream)
    if end < size and _has_data(stream, end):
        return _Stop(
            end=size, at=end, error=f"truncated: {size - end} bytes at the end are no whole record"
        )
    return _Stop(end=size)


def _record_id(record: Any) -> str | None:
    value = record.rec_headers.get_header("WARC-Record-ID")
    return str(value) if value else None


def _size(stream: IO[bytes]) -> int:
    return stream.seek(0, 2)


def _has_data(stream: IO[bytes], start: int) -> bool:
    """Whether anything but blank lines follows ``start``."""
    stream.seek(start)
    while block := stream.read(_BLOCK):
        if block.strip():
            return True
    return False


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _next_boundary(stream: IO[bytes], after: int) -> int:
    """Where the next record may start after ``after``: the next gzip member header in a
    gzipped file, else the next ``WARC/`` at a line start; -1 when there is none."""
    stream.seek(0)
    gzipped = stream.read(3) == _GZIP_MAGIC
    marker = _GZIP_MAGIC if gzipped else b"\nWARC/"
    shift = 0 if gzipped else 1
    position = after
    stream.seek(position)
    tail = b""
    while True:
        block = stream.read(_BLOCK)
        if not block:
            return -1
        data = tail + block
        found = data.find(marker)
        if found >= 0:
            return position - len(tail) + found + shift
        tail = data[-(len(marker) - 1) :]
        position += len(block)


def _entry(
    record: Any,
    label: str,
    offset: int,
    max_body: int,
    is_html: Callable[[str | None], bool | None],
) -> Entry:
    kind = record.rec_type
    if kind not in ("response", "revisit"):
        return Skipped(str(kind or "unknown"))
    headers = record.rec_headers
    url = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    origin = WarcOrigin(label, headers.get_header("WARC-Record-ID"), offset)
    fetched_at = morgue_time(headers.get_header("WARC-Date"))
    if not url or fetched_at is None:
        return Broken(origin, url or None, "no WARC-Target-URI or no readable WARC-Date")
    http = record.http_headers
    if kind == "revisit":
        return WarcPage(
            origin,
            url,
            fetched_at,
            _status(http),
            _headers(http),
            b"",
            RevisitRef(
                headers.get_header("WARC-Refers-To"),
                (headers.get_header("WARC-Refers-To-Target-URI") or "").strip("<>") or None,
                morgue_time(headers.get_header("WARC-Refers-To-Date")),
            ),
        )
    if http is None or not url.startswith(("http://", "https://")):
        return Skipped("not_http")
    status = _status(http)
    if not 200 <= status < 300:
        return Skipped(f"status_{status // 100}xx")
    page_headers = _headers(http)
    html = is_html(page_headers.get("content-type"))
    if html is False:
        return Skipped("not_html")
    body = record.content_stream().read(max_body + 1)
    if len(body) > max_body:
        return Skipped("too_large")
    if html is None and body.lstrip()[:1] != b"<":
        return Skipped("not_html")
    return WarcPage(origin, url, fetched_at, status, page_headers, body)


def _status(http: Any) -> int:
    if http is None:
        return 0
    try:
        return int(http.get_statuscode())
    except (TypeError, ValueError):
        return 0


def _headers(http: Any) -> dict[str, str]:
    """Lower-case names, repeated values joined by ", " (as a crawl keeps them)."""
    if http is None:
        return {}
    found: dict[str, str] = {}
    for name, value in http.headers:
        key = name.lower()
        if key in _WIRE_HEADERS:
            continue
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _digest_problem(record: Any) -> str | None:
    checker = getattr(record, "digest_checker", None)
    if checker is None or checker.passed is not False:
        return None
    problems = list(checker.problems)
    return f"digest mismatch: {problems[0]}" if problems else "digest mismatch"
