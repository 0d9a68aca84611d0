"""The exported WACZ opens in ReplayWeb.page (issue 18), for real and offline.

The demo site is crawled (a real ``scrapy crawl`` on 127.0.0.1) and exported with
``morgue export --format wacz``. ReplayWeb.page's own ``ui.js`` and ``sw.js`` (npm
``replaywebpage``, pinned; :mod:`replaywebpage`) are served on 127.0.0.1 with a page
embedding ``<replay-web-page source="/archive.wacz" url=…>`` and the WACZ, and headless
Chromium opens that page. Its browser context sends every request that is not to loopback
to a guard proxy on 127.0.0.1 that refuses it and records it, so nothing leaves the machine.

What must appear: the demo article's title, heading and body text in the replayed frame,
and its "Related Posts" grid, which morgue's extraction drops, as the original page has
it (so the frame shows the WARC's original bytes, not morgue's text); the alias whose
capture is a ``revisit`` shows the original's article. What must not: ReplayWeb.page's
"Archived Page Not Found" (shown, as a control, for a page never crawled), a request to
the demo site (it stays up, and hears nothing), a replay request that reaches our server
instead of the service worker, or a request to any other address.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import Page, browser, chromium
from bs4 import BeautifulSoup
from click.testing import CliRunner
from crawl_helpers import scrapy_crawl
from guard_proxy import GuardProxy
from replaywebpage import REPLAY_BASE, WACZ_PATH, ReplayServer, ensure_replaywebpage
from test_demo_site import JAPAN, JAPAN_ALIAS

from archive import Archive
from archive.cli import cli
from crawler.demo import DEMO_SEED_PATH, SiteServer, demo_site_root, serve_demo_site

NOT_FOUND = "Archived Page Not Found"
#: What Chromium itself may ask the network for, whatever the page: nothing. Its
#: autofill service queried form types for the demo article's comment form until
#: tests/browser.py turned it off; the guard would refuse any such request on 127.0.0.1.
CHROMIUM_OWN: set[str] = set()
#: All our server may be asked for: the page, ReplayWeb.page's files, the WACZ, the
#: favicon, and the replay frame's first load, before the service worker takes it over.
SERVED_PATHS = {
    "/",
    REPLAY_BASE,
    REPLAY_BASE + "ui.js",
    REPLAY_BASE + "sw.js",
    WACZ_PATH,
    "/favicon.ico",
}

# The replayed document as the page's own scripts left it, read from an isolated world.
READ_JS = """
document.readyState === 'complete' && document.body ? {
  title: document.title,
  text: document.body.innerText,
  h1: Array.from(document.querySelectorAll('h1')).map(h => h.innerText.trim()),
  related: Array.from(document.querySelectorAll('section.related-posts .related-post-title'))
    .map(e => e.innerText.trim()),
} : null
"""


@dataclass
class Replay:
    page: Page
    server: ReplayServer
    guard: GuardProxy
    site: SiteServer
    base: str  # the demo site's origin, as crawled
    db: Path


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    rwp = ensure_replaywebpage()
    if isinstance(rwp, str):
        pytest.skip(f"ReplayWeb.page could not be had from the npm registry: {rwp}")
    try:
        chromium()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    folder = tmp_path_factory.mktemp("rwp")
    db, wacz = folder / "crawl.db", folder / "demo.wacz"
    with serve_demo_site(port=0) as site:
        done = scrapy_crawl("-a", f"start_urls={site.url(DEMO_SEED_PATH)}", archive=db)
        assert done.returncode == 0, done.stderr[-3000:]
        made = CliRunner().invoke(
            cli, ["export", "--format", "wacz", "--out", str(wacz), "--db", str(db)]
        )
        assert made.exit_code == 0, made.output
        site.clear_requests()  # from here on, the demo site must hear nothing
        with (
            GuardProxy() as guard,
            ReplayServer(rwp, wacz) as server,
            browser(folder / "profile", proxy=guard.base_url) as page,
        ):
            page.send("Page.enable")
            yield Replay(page, server, guard, site, site.url("/").rstrip("/"), db)


def replayed(replay: Replay, url: str, timeout: float = 30.0) -> dict[str, Any]:
    """Open the embedding page for ``url`` and read the frame ReplayWeb.page replays it in
    (``…/replay/w/<coll>/<timestamp>mp_/<url>``) once it has loaded."""
    replay.page.send("Page.navigate", url=replay.server.page_url(url))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = replay_frame(replay.page.send("Page.getFrameTree")["frameTree"], url)
        if frame is not None:
            world = replay.page.send("Page.createIsolatedWorld", frameId=frame["id"])
            result = replay.page.send(
                "Runtime.evaluate",
                expression=READ_JS,
                contextId=world["executionContextId"],
                returnByValue=True,
            )
            value = result["result"].get("value")
            if value:
                return {**value, "frame_url": frame["url"]}
        time.sleep(0.2)
    raise TimeoutError(f"ReplayWeb.page never showed {url}")


def replay_frame(tree: dict[str, Any], url: str) -> dict[str, Any] | None:
    frame = tree["frame"]
    if frame["url"].endswith("mp_/" + url) and REPLAY_BASE + "w/" in frame["url"]:
        return dict(frame)
    for child in tree.get("childFrames", []):
        found = replay_frame(child, url)
        if found is not None:
            return found
    return None


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def original(path: str) -> BeautifulSoup:
    return BeautifulSoup((demo_site_root() / path.strip("/") / "index.html").read_bytes(), "lxml")


def test_the_demo_article_replays_from_the_wacz(replay: Replay) -> None:
    url = replay.base + DEMO_SEED_PATH
    shown = replayed(replay, url)
    with Archive(replay.db, readonly=True) as archive:
        article = archive.get_article(url)
    soup = original(DEMO_SEED_PATH)
    assert shown["title"] == soup.title.get_text()  # type: ignore[union-attr]
    assert shown["h1"] == [article["title"]]
    text = words(shown["text"])
    paragraphs = [words(p) for p in article["body_text"].split("\n\n") if p.strip()]
    assert len(paragraphs) > 5
    assert all(p in text for p in paragraphs), [p for p in paragraphs if p not in text]
    # the grid as the original bytes have it, which morgue's body text does not hold
    grid = [words(h.get_text()) for h in soup.select("section.related-posts .related-post-title")]
    assert len(grid) == 6 and "Trump Deploys U.S. Marines to…See More" in grid
    assert [words(r) for r in shown["related"]] == grid
    assert "See More" not in article["body_text"]
    assert NOT_FOUND not in shown["text"]


def test_a_revisit_replays_its_original(replay: Replay) -> None:
    alias = replayed(replay, replay.base + JAPAN_ALIAS)
    heading = [words(h.get_text()) for h in original(JAPAN).select("h1")]
    assert [words(h) for h in alias["h1"]] == heading and heading
    assert NOT_FOUND not in alias["text"]


def test_a_page_never_crawled_is_not_made_up(replay: Replay) -> None:
    missing = replayed(replay, replay.base + "/never-crawled/")
    assert NOT_FOUND in missing["text"]
    assert "Prison Scandal" not in missing["text"]


def test_every_request_stayed_on_loopback(replay: Replay) -> None:
    replayed(replay, replay.base + DEMO_SEED_PATH)
    served = replay.server.served
    paths = {urlsplit(s.path).path for s in served}
    # every replayed URL (…/replay/w/…) was answered by the service worker, from the WACZ
    assert paths <= SERVED_PATHS, paths
    reads = [s for s in served if s.path == WACZ_PATH and s.method == "GET"]
    assert reads and all(s.status == 206 and s.range for s in reads)  # by byte range
    assert replay.site.requests == []  # the live demo site was never asked
    attempts = replay.guard.attempts
    assert set(attempts) <= CHROMIUM_OWN, attempts
    # the control: a request this browser context makes to another address reaches the
    # guard on 127.0.0.1 (and stops there), so the guard saw all there was to see
    replay.page.evaluate("fetch('http://guard-check.invalid/').catch(() => null), 1")
    deadline = time.monotonic() + 10
    while "GET http://guard-check.invalid/" not in replay.guard.attempts:
        assert time.monotonic() < deadline, replay.guard.attempts
        time.sleep(0.1)
