"""Peer (c) of bench/crawl.py: trafilatura's own fetch-and-extract over a URL list.

    python bench/trafilatura_peer.py URLS.txt [THREADS]

Downloads run in parallel threads, as trafilatura's command line does with
``--parallel``; each page is extracted with ``extract(html, url=url,
include_comments=False)``. Only the listed URLs are fetched (all on 127.0.0.1).
Prints the number of pages extracted.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _config() -> object:
    from copy import deepcopy

    from trafilatura.settings import DEFAULT_CONFIG

    config = deepcopy(DEFAULT_CONFIG)
    # The bench site is on 127.0.0.1, which trafilatura's SSRF guard refuses by default.
    config.set("DEFAULT", "SSRF_PROTECTION", "off")
    return config


CONFIG = _config()


def fetch_and_extract(url: str) -> bool:
    from trafilatura import extract, fetch_url

    page = fetch_url(url, config=CONFIG)  # type: ignore[arg-type]
    if page is None:
        return False
    return extract(page, url=url, include_comments=False) is not None


def main() -> None:
    urls = Path(sys.argv[1]).read_text(encoding="utf-8").split()
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    with ThreadPoolExecutor(threads) as pool:
        done = sum(pool.map(fetch_and_extract, urls))
    print(f"pages {done}")


if __name__ == "__main__":
    main()
