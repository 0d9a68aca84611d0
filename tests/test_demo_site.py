"""The loopback site server, the bundled demo site and the gazette fixture site.

Everything here talks to 127.0.0.1 only.

The demo site map is in the docstring of :mod:`crawler.demo.server`.

The gazette site (``tests/fixtures/sites/gazette/``, "The Harbour Gazette") is the "any site,
not only the demo" case: a WordPress news theme with Yoast-style JSON-LD, a YARPP block
(``.yarpp-related``), a Contextual Related Posts block (``.crp_related``) and a
"You may also like" block (``.more-stories``). Seed: ``/council-approves-ferry-terminal-upgrade/``.

======================================================  =====  ============================
article path                                             depth  reached by
======================================================  =====  ============================
/council-approves-ferry-terminal-upgrade/                0      seed
/ferry-fares-to-rise-in-spring/                          1      YARPP on the seed
/dockworkers-union-backs-terminal-plan/                  1      YARPP on the seed
/old-lighthouse-reopens-to-visitors/                     1      "You may also like"
/herring-fleet-lands-record-catch/                       2      crp_related on ferry-fares
======================================================  =====  ============================

Those five (:data:`GAZETTE_REACHABLE`) are exactly the articles reachable through related
links. Two more articles are NOT reachable that way and must not be crawled by default:
``/school-board-election-results-announced/`` (menu, news ticker, "Most read" widget,
category pages) and ``/letters-parking-on-harbour-street/`` ("Most read" widget, tag pages;
its own YARPP block links to the seed, but nothing related links to it). Hubs: ``/``,
``/category/{local,harbour,opinion}/``, ``/tag/<tag>/``, ``/author/{sam-whitaker,ines-carvalho}/``.
Share links go to facebook.com / twitter.com / whatsapp; comment reply links are
``?replytocom=N#respond`` on the same page; a commenter link and a sponsored entry in the
seed's YARPP block point at ``http://example.invalid/`` (off-host: never fetched).
No page on the gazette uses tracking parameters, aliases or redirects, so every article
is fetched at its canonical URL.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit
from urllib.request import ProxyHandler, Request, build_opener

import pytest
from bs4 import BeautifulSoup

from crawler.demo import DEMO_SEED_PATH, SiteServer, demo_site_root, serve_demo_site, serve_site

GAZETTE_ROOT = Path(__file__).parent / "fixtures" / "sites" / "gazette"
GAZETTE_SEED_PATH = "/council-approves-ferry-terminal-upgrade/"
GAZETTE_REACHABLE = {
    "/council-approves-ferry-terminal-upgrade/": 0,
    "/ferry-fares-to-rise-in-spring/": 1,
    "/dockworkers-union-backs-terminal-plan/": 1,
    "/old-lighthouse-reopens-to-visitors/": 1,
    "/herring-fleet-lands-record-catch/": 2,
}
GAZETTE_NOT_REACHABLE = {
    "/school-board-election-results-announced/",
    "/letters-parking-on-harbour-street/",
}

BUTTER = "/i-found-butter-on-the-counter/"
JAPAN = "/news/world/japan-megaquake-warning-82-percent-chance/"
JAPAN_ALIAS = "/japan-on-edge-scientists-warn-82-chance-of-megaquake/"
SCHOOL = "/middle-schooler-suspended-when-principal-sees-his-veterans-memorial/"
SCHOOL_REDIRECT = "/2025/06/middle-schooler-suspended/"

# Canonical path of every demo article page -> depth at which a related/next crawl reaches it.
DEMO_REACHABLE = {
    DEMO_SEED_PATH: 0,
    SCHOOL: 1,
    JAPAN: 1,  # via its alias, which the seed's grid links to
    "/news/us/trump-deploys-marines-to-florida-ice-support/": 1,
    "/first-symptoms-of-critical-blood-sugar-problems/": 1,
    BUTTER: 1,
    "/three-sisters-passed-away-after-visiting-their-father/": 1,
    BUTTER + "2/": 2,
    BUTTER + "3/": 3,
    "/woman-finds-hidden-room-behind-bathroom-mirror/": 2,
    "/grandmother-wins-lottery-twice-with-same-numbers/": 2,
    "/dog-waits-at-bus-stop-every-afternoon/": 2,
    "/news/us/ohio-school-board-reverses-memorial-suspension/": 2,
    "/news/world/what-is-the-nankai-trough/": 2,
    "/news/us/florida-governor-responds-to-marines-deployment/": 2,
    "/news/health/doctors-warn-skin-patches-can-signal-prediabetes/": 2,
    "/news/us/former-corrections-officer-sentenced-in-contraband-case/": 2,
    "/news/science/tsunami-warning-network-gets-upgrade/": 2,
}
DEMO_HUBS = [
    "/",
    "/category/viral/",
    "/category/health/",
    "/category/life/",
    "/tag/prison/",
    "/tag/scandal/",
    "/author/megan-rhodes/",
    "/news/",
    "/news/world/",
    "/news/tag/japan/",
    "/news/author/daniel-okafor/",
    "/about/",
    "/contact/",
    "/privacy-policy/",
]

# Where related and next-page links live, across both demo themes and the gazette.
RELATED_LINKS = ", ".join(
    f"{block} a[href]"
    for block in (
        "section.related-posts",
        "#jp-relatedposts",
        "section.more-from",
        "section.also-like",
        ".yarpp-related",
        ".crp_related",
        ".more-stories",
    )
)

_OPENER = build_opener(ProxyHandler({}))  # loopback only: never go through a proxy


def fetch(url: str, user_agent: str = "morgue-tests/1") -> tuple[int, str, str, bytes]:
    """GET ``url`` following redirects; (status, final URL, content type, body)."""
    assert urlsplit(url).hostname == "127.0.0.1", url
    with _OPENER.open(Request(url, headers={"User-Agent": user_agent}), timeout=5) as resp:
        return resp.status, resp.geturl(), resp.headers["Content-Type"], resp.read()


class RawResponse(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name)


def raw_request(server: SiteServer, path: str, method: str = "GET") -> RawResponse:
    """One request sent exactly as given, without following redirects."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request(method, path, headers={"User-Agent": "raw-client"})
        resp = conn.getresponse()
        return RawResponse(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def soup_of(body: bytes) -> BeautifulSoup:
    return BeautifulSoup(body, "html.parser")


def canonical_of(soup: BeautifulSoup) -> str:
    link = soup.find("link", rel="canonical")
    assert link is not None
    return str(link["href"])


def crawl_related(server: SiteServer, seed_path: str) -> dict[str, int]:
    """Breadth-first walk of related and rel=next links; canonical path -> first depth."""
    seen_urls: set[str] = set()
    depths: dict[str, int] = {}
    queue = [(server.url(seed_path), 0)]
    while queue:
        url, depth = queue.pop(0)
        if url in seen_urls or urlsplit(url).netloc != urlsplit(server.base_url).netloc:
            continue
        seen_urls.add(url)
        _status, final, _ctype, body = fetch(url)
        soup = soup_of(body)
        depths.setdefault(canonical_of(soup), depth)
        links = [a["href"] for a in soup.select(RELATED_LINKS)]
        links += [link["href"] for link in soup.select('link[rel="next"]')]
        for href in links:
            target = urljoin(final, str(href)).split("#")[0]
            queue.append((target, depth + 1))
    return depths


def site_pages(root: Path) -> Iterator[tuple[str, BeautifulSoup]]:
    """(URL path, parsed page) for every HTML page of a site folder."""
    for file in sorted(root.rglob("index.html")):
        rel = file.parent.relative_to(root).as_posix()
        path = "/" if rel == "." else f"/{rel}/"
        yield path, soup_of(file.read_bytes())


def is_article(soup: BeautifulSoup) -> bool:
    og_type = soup.find("meta", property="og:type")
    return og_type is not None and og_type["content"] == "article"


# -- the server --------------------------------------------------------------------------


def test_serves_an_article_as_utf8_html(gazette_site: SiteServer) -> None:
    status, final, ctype, body = fetch(gazette_site.url(GAZETTE_SEED_PATH))
    assert status == 200
    assert final == gazette_site.base_url + GAZETTE_SEED_PATH
    assert ctype == "text/html; charset=utf-8"
    assert "Council Approves £12m Upgrade" in body.decode("utf-8")
    assert gazette_site.base_url.startswith("http://127.0.0.1:")
    assert gazette_site.port > 0


def test_unknown_path_is_a_404_with_an_html_body(gazette_site: SiteServer) -> None:
    resp = raw_request(gazette_site, "/no-such-article/")
    assert resp.status == 404
    assert resp.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b"Not Found" in resp.body


@pytest.mark.parametrize(
    "path",
    ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/_routes.json", "/.hidden/"],
)
def test_paths_outside_the_site_are_404(demo_site: SiteServer, path: str) -> None:
    assert raw_request(demo_site, path).status == 404


def test_query_strings_and_fragments_are_ignored_for_lookup(gazette_site: SiteServer) -> None:
    plain = fetch(gazette_site.url(GAZETTE_SEED_PATH))[3]
    tracked = fetch(
        gazette_site.url(GAZETTE_SEED_PATH + "?utm_source=x&utm_medium=y&fbclid=abc#respond")
    )
    assert tracked[0] == 200
    assert tracked[3] == plain


def test_folder_without_trailing_slash_redirects(gazette_site: SiteServer) -> None:
    resp = raw_request(gazette_site, GAZETTE_SEED_PATH.rstrip("/"))
    assert resp.status == 301
    assert resp.getheader("Location") == GAZETTE_SEED_PATH


def test_robots_txt_is_served_as_text(demo_site: SiteServer) -> None:
    status, _final, ctype, body = fetch(demo_site.url("/robots.txt"))
    assert status == 200
    assert ctype == "text/plain; charset=utf-8"
    assert b"Disallow: /wp-admin/" in body
    assert b"Disallow: /\n" not in body


def test_head_has_headers_and_no_body(gazette_site: SiteServer) -> None:
    resp = raw_request(gazette_site, GAZETTE_SEED_PATH, method="HEAD")
    assert resp.status == 200
    assert int(resp.getheader("Content-Length") or 0) > 1000
    assert resp.body == b""


def test_requests_are_recorded_with_user_agent(gazette_site: SiteServer) -> None:
    fetch(gazette_site.url("/ferry-fares-to-rise-in-spring/?utm_source=t"), user_agent="ua-1")
    raw_request(gazette_site, "/missing/")
    assert gazette_site.requests == [
        ("GET", "/ferry-fares-to-rise-in-spring/?utm_source=t", "ua-1"),
        ("GET", "/missing/", "raw-client"),
    ]
    assert gazette_site.requests[0].user_agent == "ua-1"
    gazette_site.clear_requests()
    assert gazette_site.requests == []


def test_server_stops_and_frees_its_port() -> None:
    with serve_site(GAZETTE_ROOT) as server:
        url = server.url(GAZETTE_SEED_PATH)
        assert fetch(url)[0] == 200
    with pytest.raises(OSError):
        fetch(url)
    server.stop()  # a second stop is harmless


def test_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a folder"):
        SiteServer(tmp_path / "nope")


def test_routes_file_declares_aliases_and_redirects(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<p>page a</p>", encoding="utf-8")
    routes = {"aliases": {"/old-a/": "/a/"}, "redirects": {"/moved/": "/a/"}}
    (tmp_path / "_routes.json").write_text(json.dumps(routes), encoding="utf-8")
    with serve_site(tmp_path) as server:
        assert fetch(server.url("/old-a/?ref=1"))[2:] == (
            "text/html; charset=utf-8",
            b"<p>page a</p>",
        )
        resp = raw_request(server, "/moved/")
        assert (resp.status, resp.getheader("Location")) == (301, "/a/")
        assert raw_request(server, "/_routes.json").status == 404


# -- the demo site -----------------------------------------------------------------------


def test_demo_package_exports() -> None:
    root = demo_site_root()
    assert (root / DEMO_SEED_PATH.strip("/") / "index.html").is_file()
    assert (root / "robots.txt").is_file()
    with serve_demo_site(port=0) as server:
        assert fetch(server.url(DEMO_SEED_PATH))[0] == 200


def test_demo_has_15_articles_in_two_themes() -> None:
    articles = {path: soup for path, soup in site_pages(demo_site_root()) if is_article(soup)}
    assert len(articles) >= 15
    with_json_ld = set()
    for path, soup in articles.items():
        for script in soup.find_all("script", type="application/ld+json"):
            if json.loads(script.string or "{}").get("@type") == "NewsArticle":
                with_json_ld.add(path)
    viral = {p for p, s in articles.items() if s.select_one("body.wp-theme-buzzmag")}
    assert len(with_json_ld) >= 6
    assert len(viral) >= 6
    assert not with_json_ld & viral
    assert with_json_ld | viral == set(articles)
    assert all(p.startswith("/news/") for p in with_json_ld)


def test_demo_news_article_json_ld_is_complete() -> None:
    soup = soup_of((demo_site_root() / JAPAN.strip("/") / "index.html").read_bytes())
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["headline"].startswith("Japan On Edge")
    assert re.fullmatch(r"2025-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", ld["datePublished"])
    assert re.fullmatch(r"2025-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", ld["dateModified"])
    assert ld["author"][0]["name"] == "Daniel Okafor"
    assert ld["publisher"]["name"] == "Buzz News Desk"
    assert ld["articleSection"] == "World"
    assert "Nankai Trough" in ld["keywords"]
    assert ld["image"]
    assert soup.find("meta", property="article:published_time")["content"] == ld["datePublished"]
    assert soup.select_one(".byline time[datetime]")["datetime"] == ld["datePublished"]
    assert soup.select_one("nav.breadcrumbs")
    assert soup.select_one("aside.newsletter-signup form")
    assert soup.select_one("section.more-from h2").get_text() == "More from World"
    assert soup.select_one("section.also-like h2").get_text() == "You may also like"


def test_demo_article_titles_are_unique_and_canonicals_root_relative() -> None:
    titles = []
    for path, soup in site_pages(demo_site_root()):
        if not is_article(soup):
            continue
        titles.append(soup.title.get_text())
        assert soup.title.get_text().endswith(("| The Daily Buzz", "| Buzz News Desk"))
        assert canonical_of(soup) == path
        assert re.search(r"datetime=\"2025-", str(soup))
    assert len(titles) == len(set(titles)) >= 15


@pytest.mark.parametrize(
    ("root", "missing_ok"),
    [
        (demo_site_root(), {"/feed/"}),
        (GAZETTE_ROOT, {"/about/", "/contact/", "/feed/", "/subscribe/"}),
    ],
    ids=["demo", "gazette"],
)
def test_internal_links_are_root_relative_and_resolve(root: Path, missing_ok: set[str]) -> None:
    server = SiteServer(root)  # resolve() only: no socket traffic
    try:
        for path, soup in site_pages(root):
            for a in soup.find_all("a", href=True):
                href = str(a["href"])
                assert "127.0.0.1" not in href and "localhost" not in href, (path, href)
                if not href.startswith("/"):
                    assert href.startswith(("http://", "https://", "mailto:", "javascript:", "#"))
                    continue
                target = urlsplit(href).path
                if target in missing_ok:
                    continue
                status, _found = server.resolve(href)
                assert status in (200, 301), (path, href)
    finally:
        server.stop()


def test_seed_page_matches_the_seed_text(demo_site: SiteServer) -> None:
    body = fetch(demo_site.url(DEMO_SEED_PATH))[3].decode("utf-8")
    soup = soup_of(body.encode())
    assert "Dannemora" in body
    assert "…See More" in body
    content = soup.select_one(".entry-content")
    subheads = [h.get_text() for h in content.find_all("h2")]
    subheads += [s.get_text() for s in content.select("p > strong")]
    assert sorted(subheads) == sorted(
        [
            "Breaking the Code: Relationships Behind Bars",
            "A Pattern of Misconduct",
            "What Drives These Actions?",
            "Consequences and Accountability",
            "Reforms and Preventive Measures",
        ]
    )
    assert [li.get_text() for li in content.select("ul > li")][1] == (
        "Termination and loss of pensions"
    )
    assert len(content.select("ul > li")) == 4
    assert "Dr. Karen Ellis" in content.find("blockquote").get_text()
    assert "See More" not in content.get_text()
    assert "Related Posts" not in content.get_text()


def test_seed_related_grid_has_six_cards_with_teasers(demo_site: SiteServer) -> None:
    soup = soup_of(fetch(demo_site.url(DEMO_SEED_PATH))[3])
    grid = soup.select_one("section.related-posts")
    assert grid.select_one("h3").get_text() == "Related Posts"
    cards = grid.select("article.related-post")
    assert len(cards) == 6
    titles = [c.select_one(".related-post-title a").get_text() for c in cards]
    assert titles[2] == "Trump Deploys U.S. Marines to…See More"
    assert titles[3] == "These Are The First Symptoms Of Cr…See More"
    full = [c.select_one(".related-post-title a")["title"] for c in cards]
    assert full[2] == "Trump Deploys U.S. Marines to Florida to Support ICE Operations"
    assert [c.select_one("img")["alt"] for c in cards] == full
    teasers = [c.select_one(".related-post-excerpt").get_text() for c in cards]
    assert all(t.rstrip(".").endswith("…") for t in teasers)
    assert teasers[0].startswith("When an Ohio student arrived at middle school")
    hrefs = [c.select_one(".related-post-title a")["href"] for c in cards]
    assert any("utm_source=" in h for h in hrefs)
    assert any("fbclid=" in h for h in hrefs)
    assert hrefs[1].startswith(JAPAN_ALIAS)


def test_demo_alias_serves_the_same_page_with_a_canonical(demo_site: SiteServer) -> None:
    main = fetch(demo_site.url(JAPAN))
    alias = fetch(demo_site.url(JAPAN_ALIAS + "?utm_source=related"))
    assert alias[0] == 200
    assert alias[1] == demo_site.url(JAPAN_ALIAS + "?utm_source=related")  # no redirect
    assert alias[3] == main[3]
    assert canonical_of(soup_of(alias[3])) == JAPAN


def test_demo_redirect(demo_site: SiteServer) -> None:
    resp = raw_request(demo_site, SCHOOL_REDIRECT)
    assert resp.status == 301
    assert resp.getheader("Location") == SCHOOL
    assert fetch(demo_site.url(SCHOOL_REDIRECT))[1] == demo_site.url(SCHOOL)


def test_demo_multi_page_article(demo_site: SiteServer) -> None:
    pages = [soup_of(fetch(demo_site.url(p))[3]) for p in (BUTTER, BUTTER + "2/", BUTTER + "3/")]
    nexts = [s.find("link", rel="next") for s in pages]
    prevs = [s.find("link", rel="prev") for s in pages]
    assert [n["href"] if n else None for n in nexts] == [BUTTER + "2/", BUTTER + "3/", None]
    assert [p["href"] if p else None for p in prevs] == [None, BUTTER, BUTTER + "2/"]
    visible = [s.select_one(".page-links a.next-page") for s in pages]
    assert [v.get_text() if v else None for v in visible] == ["Next page", "Next page", None]
    assert len({s.title.get_text() for s in pages}) == 3


def test_demo_related_crawl_reaches_every_article_within_depth_3(demo_site: SiteServer) -> None:
    depths = crawl_related(demo_site, DEMO_SEED_PATH)
    assert depths == DEMO_REACHABLE
    articles = {p for p, s in site_pages(demo_site_root()) if is_article(s)}
    assert set(depths) == articles
    assert not set(depths) & set(DEMO_HUBS)
    fetched = {urlsplit(r.path).path for r in demo_site.requests}
    assert JAPAN_ALIAS in fetched
    assert SCHOOL_REDIRECT in fetched
    assert not fetched & set(DEMO_HUBS)


@pytest.mark.parametrize("hub", DEMO_HUBS)
def test_demo_hubs_exist_and_are_not_articles(demo_site: SiteServer, hub: str) -> None:
    status, _final, _ctype, body = fetch(demo_site.url(hub))
    assert status == 200
    assert not is_article(soup_of(body))


def test_demo_hubs_are_linked_from_menus_tags_and_bylines() -> None:
    soup = soup_of((demo_site_root() / DEMO_SEED_PATH.strip("/") / "index.html").read_bytes())
    assert soup.select_one('#primary-menu a[href="/category/viral/"]')
    assert soup.select_one('.tags-links a[href="/tag/prison/"]')
    assert soup.select_one('.author-box a[href="/author/megan-rhodes/"]')
    assert soup.select_one('.share-bar a[href^="https://www.facebook.com/sharer/"]')
    assert soup.select_one('.comment-list a[href*="?replytocom="]')
    assert soup.select_one("#cookie-notice")
    assert len(soup.select(".ad-slot")) >= 3


# -- the gazette site --------------------------------------------------------------------


def test_gazette_related_crawl_reaches_exactly_the_documented_set(
    gazette_site: SiteServer,
) -> None:
    depths = crawl_related(gazette_site, GAZETTE_SEED_PATH)
    assert depths == GAZETTE_REACHABLE
    fetched = {urlsplit(r.path).path for r in gazette_site.requests}
    assert fetched == set(GAZETTE_REACHABLE)
    assert not fetched & GAZETTE_NOT_REACHABLE


def test_gazette_is_a_different_theme_with_unreachable_articles() -> None:
    pages = dict(site_pages(GAZETTE_ROOT))
    articles = {p for p, s in pages.items() if is_article(s)}
    assert articles == set(GAZETTE_REACHABLE) | GAZETTE_NOT_REACHABLE
    seed = pages[GAZETTE_SEED_PATH]
    assert seed.select_one(".yarpp-related")
    assert not seed.select_one("section.related-posts, #jp-relatedposts, section.more-from")
    assert seed.select_one(
        '.yarpp-related a[href="http://example.invalid/sponsored/ferry-holidays/"]'
    )
    assert seed.select_one('.comment-list a[href="http://example.invalid/"]')
    assert pages["/ferry-fares-to-rise-in-spring/"].select_one(".crp_related")
    assert "You may also like" in seed.select_one(".more-stories").get_text()
    assert seed.select_one(f'.nav-menu a[href="{"/school-board-election-results-announced/"}"]')
    graph = json.loads(seed.find("script", type="application/ld+json").string)["@graph"]
    assert graph[0]["@type"] == "Article"
    assert graph[0]["datePublished"] == "2025-03-04T18:30:00+00:00"
    for path in GAZETTE_NOT_REACHABLE:
        for other in pages.values():
            for href in (a["href"] for a in other.select(RELATED_LINKS)):
                assert urlsplit(str(href)).path != path
