"""``morgue export --format wacz``: the WARC, its CDXJ index and the article pages, zipped.

The layout is WACZ 1.1.1's, which ReplayWeb.page and pywb open and ``wacz validate``
checks:

* ``archive/data.warc.gz``: the export WARC (:mod:`archive.export.warc`);
* ``indexes/index.cdx``: its CDXJ index (response and revisit records), made from
  the offsets noted while writing and sorted on disk (:mod:`archive.export.cdxj`);
* ``pages/pages.jsonl``: one line per exported article (ID, URL, fetch time, title);
* ``datapackage.json``: every file's path, size and sha256, the WACZ version, the
  software and the main page; ``datapackage-digest.json``: the sha256 of that file.

Each part is written to a temporary folder beside ``out`` and streamed into the zip
stored (not deflated: replay tools read records by offset), so memory stays flat.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.errors import UsageError
from archive.export.cdxj import CdxjSorter, cdxj_line
from archive.export.warc import WarcCounts, now_iso, replacing, software, writable, write_warc
from archive.filters import ArticleFilter
from archive.progress import progress_bar

if TYPE_CHECKING:
    from archive.archive import Archive

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
PARTS = (
    ("archive", WARC_NAME),
    ("indexes", "index.cdx"),
    ("pages", "pages.jsonl"),
)


@dataclass
class WaczResult:
    path: Path
    counts: WarcCounts
    pages: int
    index_lines: int


def export_wacz(
    archive: Archive,
    out: str | Path | None,
    *,
    filters: ArticleFilter | None = None,
    progress: bool = False,
) -> WaczResult:
    """Write the WACZ of the captures (and articles) the ``filters`` cover to ``out``."""
    if out is None or str(out) == "-":
        raise UsageError("A WACZ is a zip file: give --out FILE.wacz.")
    path = writable(Path(str(out)))
    filters = filters or ArticleFilter()
    total = archive.warc_capture_count(filters) if progress else None
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}-") as tmp:
        folder = Path(tmp)
        sorter = CdxjSorter(folder)
        with (
            progress_bar("Exporting captures", total, enabled=progress) as advance,
            (folder / WARC_NAME).open("wb") as handle,
        ):
            counts = write_warc(
                archive,
                handle,
                filters=filters,
                filename=WARC_NAME,
                advance=advance,
                index=lambda written: sorter.add(cdxj_line(written, WARC_NAME)),
            )
        index_lines = sorter.write(folder / "index.cdx")
        pages, main_page = write_pages(archive, filters, folder / "pages.jsonl")
        package = datapackage(
            folder,
            main_page or counts.first_page,
            title=f"morgue export of {Path(archive.path).name}",
        )
        package_bytes = json.dumps(package, indent=2).encode("utf-8")
        digest = {"path": "datapackage.json", "hash": _sha256_bytes(package_bytes)}
        with replacing(path) as part, zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as zf:
            for folder_name, name in PARTS:
                zf.write(folder / name, f"{folder_name}/{name}")
            zf.writestr("datapackage.json", package_bytes)
            zf.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
    return WaczResult(path, counts, pages, index_lines)


def write_pages(
    archive: Archive, filters: ArticleFilter, out: Path
) -> tuple[int, tuple[str, str] | None]:
    """``pages/pages.jsonl``: the header line, then one line per article with a capture.
    Returns the count and the first page's (url, ts), the WACZ's main page."""
    count = 0
    first = None
    with out.open("w", encoding="utf-8") as handle:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        handle.write(json.dumps(header) + "\n")
        for page in archive.wacz_pages(filters):
            line = {"id": page["id"], "url": page["url"], "ts": page["ts"]}
            if page["title"]:
                line["title"] = page["title"]
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            if first is None:
                first = (page["url"], page["ts"])
            count += 1
    return count, first


def datapackage(folder: Path, main_page: tuple[str, str] | None, *, title: str) -> dict[str, Any]:
    resources = []
    for folder_name, name in PARTS:
        file = folder / name
        resources.append(
            {
                "name": name.lower(),
                "path": f"{folder_name}/{name}",
                "hash": _sha256_file(file),
                "bytes": file.stat().st_size,
            }
        )
    created = now_iso()[:19] + "Z"
    package: dict[str, Any] = {
        "profile": "data-package",
        "resources": resources,
        "wacz_version": WACZ_VERSION,
        "software": software(),
        "created": created,
        "title": title,
    }
    if main_page is not None:  # the first article, else the first HTML response
        package["mainPageUrl"], package["mainPageDate"] = main_page
    return package


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def _sha256_bytes(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"
