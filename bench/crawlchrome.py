"""The page furniture a real news page carries around its article, for bench/crawlsite.py.

The demo seed page is a lean WordPress theme: ~250 elements and ~60 links outside its
scripts and styles. Real article pages carry three times that. On the dev pages
(../shared/extraction-dev, 91 pages, and its wcxb set, 791 pages from 2025-era sites),
with scripts, styles and inline SVG left out, the median page has 652 / 751 elements,
135 / 119 links and 57 / 79 KB of markup. An extractor's cost grows with the tree it
walks, so a benchmark page with a third of a real page's tree measures a third of the
work. The parts below are the ones those pages have in common: a two-level menu, a
breadcrumb, a "Most read" and a newsletter widget, a tag list, a "More stories" grid
of cards in the usual wrapper divs, and a footer of link columns. With them a generated
page has ~700 elements and ~140 links (``python bench/crawlchrome.py`` prints both
medians for the dev pages, when present, and for the generated ones).

Every link in them points to a generated page or to the site's own sections, never
off the loopback site, and none of it sits inside the article.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable, Sequence

SECTIONS = ("News", "Viral", "Health", "Life", "Money", "Entertainment")
SUBSECTIONS = ("Latest", "Opinion", "Video", "Explainers")
FOOTER_COLUMNS = {
    "The Daily Buzz": ("About Us", "Contact", "Careers", "Advertise", "Corrections"),
    "Sections": SECTIONS[:5],
    "Help": ("FAQ", "Accessibility", "Submit a Story", "Tips", "Site Map"),
    "Legal": ("Privacy Policy", "Terms of Use", "Cookie Settings", "Do Not Sell", "RSS"),
}


def _slug(text: str) -> str:
    return "-".join(text.lower().split())


def mega_menu() -> str:
    """The primary menu with a sub-menu under each section (the same on every page)."""
    items = ['        <li class="menu-item menu-item-home"><a href="/">Home</a></li>']
    for section in SECTIONS:
        base = f"/category/{_slug(section)}/"
        subs = "".join(
            f'<li class="menu-item"><a href="{base}{_slug(sub)}/">{sub}</a></li>'
            for sub in SUBSECTIONS
        )
        items.append(
            f'        <li class="menu-item menu-item-has-children"><a href="{base}">{section}'
            '<span class="caret" aria-hidden="true"></span></a>'
            f'<ul class="sub-menu">{subs}</ul></li>'
        )
    return "\n" + "\n".join(items) + "\n      "


def breadcrumb(title: str) -> str:
    return (
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>'
        '<li><a href="/">Home</a></li><li><a href="/category/viral/">Viral</a></li>'
        f'<li><span aria-current="page">{html.escape(title)}</span></li></ol></nav>\n'
    )


def _card(href: str, title: str, image: str, when: str, extra: str = "") -> str:
    """A teaser card in the wrappers themes give it; only its title links."""
    return (
        f'<div class="card card--standard" data-card-type="article" data-href="{href}">'
        '<div class="card__inner"><div class="card__media"><div class="card__ratio">'
        f'<picture><source srcset="{image}.webp 1x, {image}@2x.webp 2x" type="image/webp">'
        f'<img class="card__image" src="{image}.jpg" alt="" width="300" height="200" '
        'loading="lazy" decoding="async"></picture></div></div>'
        '<div class="card__body"><div class="card__header"><span class="card__kicker">'
        f'Viral</span></div><h3 class="card__title"><a class="card__link" href="{href}">'
        f"{html.escape(title)}</a></h3>{extra}"
        f'<div class="card__meta"><time class="card__date" datetime="{when}">{when[:10]}'
        '</time><span class="card__read-time">4 min read</span></div></div></div></div>'
    )


def number(i: int) -> str:
    """Page ``i``'s number in its URLs: six digits, so that every page's URLs are as long
    as every other's. Unpadded, they grew a character at the 10,000th page, and an import
    bench's strings moved from one size class of Python's allocator to the next there
    (docs/benchmarks.md, "WARC import"): a 50,000-page run compared pages unlike a
    5,000-page run's."""
    return f"{i:06d}"


def more_stories(
    index: int,
    titles: Sequence[str],
    paths: Sequence[str],
    teaser: Callable[[], str],
    count: int = 12,
) -> str:
    """A grid of cards below the article, linking to the pages after this one."""
    cards = []
    for n in range(count):
        target = (index + 7 + n) % len(paths)
        extra = f'<p class="card-excerpt">{html.escape(teaser())}</p>'
        when = f"2025-06-{1 + n:02d}T08:00:00-04:00"
        cards.append(_card(paths[target], titles[target], f"/img/c{number(target)}", when, extra))
    return (
        '      <section class="more-stories" aria-label="More stories">\n'
        '        <h2 class="section-title">More from The Daily Buzz</h2>\n'
        f'        <div class="card-grid">{"".join(cards)}</div>\n      </section>\n'
    )


def sidebar_widgets(index: int, titles: Sequence[str], paths: Sequence[str], tags: int = 12) -> str:
    """A "Most read" list (it changes every 50 pages, as a real one changes over a day),
    a newsletter form and a tag list."""
    rng = random.Random(index // 50)
    picks = rng.sample(range(len(paths)), k=min(6, len(paths)))
    read = "".join(
        f'<li class="most-read__item"><div class="most-read__row"><span class="most-read__rank">'
        f'{n + 1}</span><a class="most-read__link" href="{paths[p]}"><div class="most-read__thumb">'
        f'<img src="/img/m{number(p)}.jpg" alt="" width="80" height="60" loading="lazy"></div>'
        f'<div class="most-read__text"><span class="most-read__title">{html.escape(titles[p])}'
        "</span></div></a></div></li>"
        for n, p in enumerate(picks)
    )
    tag_links = "".join(
        f'<a class="tag-cloud-link" href="/tag/{_slug(SUBSECTIONS[t % len(SUBSECTIONS)])}-{t}/">'
        f"{SUBSECTIONS[t % len(SUBSECTIONS)]} {t}</a> "
        for t in range(tags)
    )
    return (
        '      <section class="widget widget-most-read"><h2 class="widget-title">Most Read'
        f'</h2><ol class="most-read">{read}</ol></section>\n'
        '      <section class="widget widget-newsletter"><h2 class="widget-title">Get the '
        "Buzz</h2><p>The day's stories in your inbox every morning.</p>"
        '<form class="newsletter-form" action="/subscribe/" method="post"><label '
        'for="nl-email">Email</label><input id="nl-email" type="email" name="email">'
        '<button type="submit">Sign up</button></form></section>\n'
        '      <section class="widget widget-tags"><h2 class="widget-title">Topics</h2>'
        f'<div class="tagcloud">{tag_links}</div></section>\n'
    )


def footer_columns() -> str:
    """The footer's link columns (the same on every page)."""
    columns = []
    for heading, links in FOOTER_COLUMNS.items():
        items = "".join(
            f'<li><a href="/{_slug(link)}/">{html.escape(link)}</a></li>' for link in links
        )
        columns.append(
            f'<div class="footer-column"><h4 class="footer-heading">{heading}</h4>'
            f'<ul class="footer-links">{items}</ul></div>'
        )
    return f'    <div class="footer-columns">{"".join(columns)}</div>\n'


def main() -> None:
    """Median elements, links and markup bytes (scripts, styles and SVG left out) of the
    dev pages, when ../shared is there, and of the generated pages."""
    import gzip
    import re
    import statistics
    import sys
    from pathlib import Path

    import crawlsite

    strip = re.compile(r"<(script|style|svg)\b.*?</\1\s*>", re.S | re.I)

    def figures(pages: list[str]) -> str:
        rest = [strip.sub("", page) for page in pages]
        elements = statistics.median(len(re.findall(r"<[a-zA-Z]", r)) for r in rest)
        links = statistics.median(len(re.findall(r"<a[\s>]", r)) for r in rest)
        kb = statistics.median(len(r.encode()) for r in rest) / 1000
        return f"{len(pages)} pages: {elements:.0f} elements, {links:.0f} links, {kb:.0f} KB"

    shared = Path(__file__).resolve().parents[2] / "shared" / "extraction-dev"
    for folder in (shared / "html", shared / "wcxb" / "html"):
        if folder.is_dir():
            pages = [
                gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                for p in sorted(folder.glob("*.html.gz"))
            ]
            print(f"{folder.relative_to(shared.parent)}: {figures(pages)}")
    count = int(sys.argv[1]) if sys.argv[1:] else 300
    generated = [page for _, page in crawlsite.iter_pages(count)]
    print(f"generated: {figures(generated)}")


if __name__ == "__main__":
    main()
