"""A small news site for discovery tests, built into a folder at test time.

Built rather than committed so a test can change it between two crawls (add a
story, bump a lastmod) and so the gzip sitemap is made by the same code that
reads it. Serve it with :func:`crawler.demo.server.serve_site`.

Map (``stories`` newest first; each story's ``section`` is ``local`` or ``sport``):

* ``/`` — home hub (WordPress ``home blog`` body, og:type website, JSON-LD
  CollectionPage): teaser cards of the 4 newest stories, a menu linking the two
  sections, and ``<link rel="alternate" type="application/rss+xml" href="/feed/">``.
* ``/section/<name>/``, ``/section/<name>/page/N/`` — section hubs, 2 stories a
  page, ``rel=next`` and a "Next page" link to the following page.
* ``/YYYY/MM/DD/<slug>/`` — the stories (``single-post``, og:type article,
  JSON-LD NewsArticle), no related blocks, so discovery alone finds them.
* ``/sitemap_index.xml`` — lists ``/sitemap-posts.xml``, ``/sitemap-posts-2.xml.gz``,
  itself (a loop) and ``/sitemap-broken.xml`` (malformed XML).
* ``/sitemap-posts.xml`` — the older half of the stories; ``/sitemap-posts-2.xml.gz``
  (gzip) the newer half; each with ``lastmod``.
* ``/news-sitemap.xml`` — the 3 newest, with ``news:publication_date``.
* ``/feed/`` — RSS of the 5 newest, with ``pubDate``.
* ``/robots.txt`` — ``Sitemap:`` lines for the index and the news sitemap.
"""

from __future__ import annotations

import gzip
import html
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

PER_PAGE = 2


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    section: str
    published: datetime
    modified: datetime | None = None

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def lastmod(self) -> datetime:
        return self.modified or self.published


def _d(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 6, day, hour, 0, tzinfo=UTC)


STORIES: tuple[Story, ...] = (
    Story("harbour-wall-repairs-begin", "Harbour Wall Repairs Begin", "local", _d(12)),
    Story("rowing-club-wins-regatta", "Rowing Club Wins the Summer Regatta", "sport", _d(11)),
    Story("library-extends-opening-hours", "Library Extends Its Opening Hours", "local", _d(10)),
    Story("new-bus-route-to-the-ferry", "A New Bus Route to the Ferry", "local", _d(9)),
    Story("swimmers-brave-cold-bay", "Swimmers Brave the Cold Bay for Charity", "sport", _d(8)),
    Story("market-square-gets-trees", "Market Square Gets Twelve New Trees", "local", _d(7)),
    Story("cricket-season-opens-early", "Cricket Season Opens Early", "sport", _d(6)),
    Story("lifeboat-crew-honoured", "Lifeboat Crew Honoured for Night Rescue", "local", _d(5)),
    Story("old-cinema-to-reopen", "The Old Cinema Is to Reopen", "local", _d(4)),
)

PARAGRAPHS = (
    "Residents gathered on {day} to hear the plans, which the council says have been "
    "three years in the making and will be paid for from the harbour fund.",
    "Several speakers asked about the cost. The council's treasurer said the work would "
    "come in under budget if the weather holds through the summer months.",
    "Local businesses welcomed the news, saying that anything which brings visitors to "
    "the waterfront helps the cafes, the chandlers and the boat hire firms alike.",
    "A public meeting will be held next month for anyone who wants to comment on the "
    "details before the final vote, and the drawings can be seen at the library.",
)


def _page(title: str, body_class: str, og_type: str, ld: dict[str, object], main: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Bayside Courier</title>
<meta property="og:type" content="{og_type}">
<meta property="og:site_name" content="The Bayside Courier">
<link rel="alternate" type="application/rss+xml" title="The Bayside Courier" href="/feed/">
<link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed/">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body class="{body_class}">
<header class="site-header"><a href="/" class="logo">The Bayside Courier</a>
<nav class="main-navigation"><ul><li><a href="/section/local/">Local</a></li>
<li><a href="/section/sport/">Sport</a></li><li><a href="/about/">About</a></li></ul></nav>
</header>
<main id="main">{main}</main>
<footer class="site-footer"><a href="/about/">About</a> <a href="/privacy/">Privacy</a>
<a href="https://twitter.com/share?url=/">Share</a></footer>
</body></html>
"""


def _cards(stories: list[Story]) -> str:
    return "\n".join(
        f'<article class="post type-post teaser"><h2 class="entry-title">'
        f'<a href="{s.path}">{html.escape(s.title)}</a></h2>'
        f'<p class="excerpt">{html.escape(PARAGRAPHS[0].format(day=f"{s.published:%A}"))}</p>'
        f"</article>"
        for s in stories
    )


def _story_page(story: Story) -> str:
    day = f"{story.published:%A}"
    body = "\n".join(f"<p>{html.escape(p.format(day=day))}</p>" for p in PARAGRAPHS)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": story.published.isoformat(),
        "dateModified": story.lastmod.isoformat(),
        "author": {"@type": "Person", "name": "Rhiannon Pike"},
        "articleSection": story.section.title(),
    }
    main = (
        f'<article class="post type-post single"><h1 class="entry-title">'
        f"{html.escape(story.title)}</h1>"
        f'<div class="entry-meta">By Rhiannon Pike <time datetime="{story.published.isoformat()}">'
        f"{story.published:%d %B %Y}</time></div>"
        f'<div class="entry-content">{body}</div></article>'
    )
    return _page(story.title, "post-template-default single single-post", "article", ld, main)


def _hub(title: str, cards: list[Story], body_class: str, next_path: str | None) -> str:
    ld = {"@context": "https://schema.org", "@type": "CollectionPage", "name": title}
    pager = f'<a class="next page-numbers" href="{next_path}">Next page</a>' if next_path else ""
    main = f'<h1 class="page-title">{html.escape(title)}</h1>{_cards(cards)}{pager}'
    page = _page(title, body_class, "website", ld, main)
    if next_path:
        page = page.replace("</head>", f'<link rel="next" href="{next_path}">\n</head>', 1)
    return page


def _urlset(stories: list[Story], base: str = "") -> bytes:
    rows = "".join(
        f"<url><loc>{base}{s.path}</loc><lastmod>{s.lastmod.isoformat()}</lastmod></url>\n"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{rows}</urlset>\n"
    ).encode()


def _write(root: Path, path: str, data: str | bytes) -> None:
    target = root / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    target.write_bytes(data)


def build_site(root: Path, base: str = "", stories: tuple[Story, ...] = STORIES) -> None:
    """Write the whole site into ``root`` (files that exist are overwritten).

    ``base`` (``http://127.0.0.1:PORT``) makes sitemap and feed URLs absolute, as real ones are.
    """
    ordered = sorted(stories, key=lambda s: s.published, reverse=True)
    for story in ordered:
        _write(root, story.path, _story_page(story))
    _write(root, "/", _hub("Latest news", ordered[:4], "home blog", None))
    for section in ("local", "sport"):
        members = [s for s in ordered if s.section == section]
        pages = [members[i : i + PER_PAGE] for i in range(0, len(members), PER_PAGE)] or [[]]
        for number, cards in enumerate(pages, start=1):
            path = f"/section/{section}/" + (f"page/{number}/" if number > 1 else "")
            next_path = f"/section/{section}/page/{number + 1}/" if number < len(pages) else None
            _write(root, path, _hub(section.title(), cards, "archive category", next_path))
    _write(root, "/about/", _page("About", "page", "website", {}, "<p>About us.</p>"))
    half = len(ordered) // 2
    _write(root, "/sitemap-posts.xml", _urlset(ordered[half:], base))
    _write(root, "/sitemap-posts-2.xml.gz", gzip.compress(_urlset(ordered[:half], base), mtime=0))
    _write(root, "/sitemap-broken.xml", b"<?xml version='1.0'?>\n<urlset><url><<<\x00 not XML")
    index = "".join(
        f"<sitemap><loc>{base}{p}</loc></sitemap>\n"
        for p in (
            "/sitemap-posts.xml",
            "/sitemap-posts-2.xml.gz",
            "/sitemap_index.xml",
            "/sitemap-broken.xml",
        )
    )
    _write(
        root,
        "/sitemap_index.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{index}</sitemapindex>\n",
    )
    news = "".join(
        f"<url><loc>{base}{s.path}</loc><news:news><news:publication><news:name>The Bayside Courier"
        f"</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{s.published.isoformat()}</news:publication_date>"
        f"<news:title>{html.escape(s.title)}</news:title></news:news></url>\n"
        for s in ordered[:3]
    )
    _write(
        root,
        "/news-sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{news}</urlset>\n",
    )
    items = "".join(
        f"<item><title>{html.escape(s.title)}</title><link>{base}{s.path}</link>"
        f"<pubDate>{format_datetime(s.lastmod)}</pubDate></item>\n"
        for s in ordered[:5]
    )
    _write(
        root,
        "/feed/",
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>The Bayside Courier</title><link>{base}/</link>\n{items}</channel></rss>\n",
    )
    _write(
        root,
        "/robots.txt",
        "User-agent: *\nDisallow: /wp-admin/\n"
        f"Sitemap: {base}/sitemap_index.xml\nSitemap: {base}/news-sitemap.xml\n",
    )


def bumped(stories: tuple[Story, ...], slug: str, modified: datetime) -> tuple[Story, ...]:
    """``stories`` with one story's modification time moved."""
    return tuple(replace(s, modified=modified) if s.slug == slug else s for s in stories)
