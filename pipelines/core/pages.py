"""Multi-page articles: which pages make one article, their order, and the stitched whole.

Pure functions, no SQL and no Scrapy (docs/multipage.md has the design):

* :func:`page_part` turns one extracted page into a :class:`PagePart` (its links to
  the previous, next and first page, and the page numbers it shows), or None when the
  page is a whole article by itself.
* :func:`order_chain` puts the parts known so far in page order, from the page numbers
  the pages show and their next/prev links; it says which page is the head (page 1,
  whose canonical URL keys the stitched article) and which pages are still missing.
* :func:`compose` builds the stitched :class:`Article`: the head's metadata and every
  page's blocks in order, without the headers later pages repeat.

The same parts give the same chain in any arrival order: nothing depends on which
page came first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipelines.core.article import Article, Block, RelatedLink, article_id
from pipelines.core.sanitize import render_blocks
from pipelines.core.urls import clean_page_url

#: Query parameters that number the pages of one article (``?page=2``).
PAGE_PARAMS = frozenset(("page", "pg", "paged", "pagina", "seite", "pagenum", "pn"))
#: ``/slug/2/`` and ``/slug/page/2/``: WordPress ``<!--nextpage-->`` and its imitators.
_PATH_PAGE = re.compile(r"^(?P<head>.*?/)(?:page/)?(?P<n>[1-9][0-9]?)/?$")
#: The most pages one chain may gather (a guard against link loops across a site).
MAX_PAGES = 100
#: Block kinds dropped wherever a later page repeats them (a lead image, a banner embed);
#: a repeated heading or paragraph is dropped only in the run of repeats a page opens with.
_CHROME_KINDS = frozenset(("image", "embed"))


def split_page_url(url: str) -> tuple[str, int] | None:
    """``(first page URL, page number)`` when ``url`` numbers a page by its path or query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    for index, (name, value) in enumerate(query):
        if name.lower() in PAGE_PARAMS and value.isdigit() and 0 < int(value) < 1000:
            rest = query[:index] + query[index + 1 :]
            return clean_page_url(urlunsplit(parts._replace(query=urlencode(rest)))), int(value)
    match = _PATH_PAGE.match(parts.path)
    if match is None:
        return None
    head = match.group("head")
    last = head.rstrip("/").rsplit("/", 1)[-1]
    if not last or last.isdigit():  # "/2/" at the root, or a date path like /2024/05/
        return None
    return clean_page_url(urlunsplit(parts._replace(path=head))), int(match.group("n"))


def first_page_of(url: str) -> str:
    """The first page's URL of the article ``url`` numbers, or ``url`` itself."""
    split = split_page_url(url)
    return split[0] if split else url


@dataclass
class PagePart:
    """One page of a multi-page article, as the ``pages`` table stores it."""

    url: str  # the page's canonical URL (cleaned)
    article: Article  # the page as extracted (its own blocks and metadata)
    number: int | None = None  # the page number the page shows (page links, URL)
    first_url: str | None = None  # page 1, when the page names it
    prev_url: str | None = None
    next_url: str | None = None
    numbered: dict[str, int] = field(default_factory=dict)  # {url: number} it links to

    def links(self) -> set[str]:
        """Every other page this page names."""
        found = {self.first_url, self.prev_url, self.next_url, *self.numbered}
        return {u for u in found if u and u != self.url}


def page_part(article: Article) -> PagePart | None:
    """The :class:`PagePart` of ``article``, or None when it is not one page of several.

    A page counts as one of several when it lists numbered page links (``.page-links``,
    ``.pagination``), or when its next or previous page is a numbered sibling URL of it
    (``/slug/`` and ``/slug/2/``, ``?page=2``). A bare ``rel=next`` to another URL
    (some themes point it at the next post) does not make a chain.
    """
    canonical = clean_page_url(article.canonical_url)
    fetched = clean_page_url(article.url)
    next_url = clean_page_url(article.next_page_url) if article.next_page_url else None
    prev_url = clean_page_url(article.prev_page_url) if article.prev_page_url else None
    listed = {clean_page_url(u): n for u, n in article.page_urls.items()}
    declared = article.page_no or listed.get(fetched) or (split_page_url(fetched) or ("", 0))[1]
    firsts = {first_page_of(fetched), *[u for u, n in listed.items() if n == 1]}
    # When every page's rel=canonical names page 1 (a common SEO shortcut), key the page
    # by its own URL, or it would take page 1's place.
    shortcut = canonical != fetched and declared > 1 and canonical in firsts
    url = fetched if shortcut else canonical
    numbered = {(url if u == fetched else u): n for u, n in listed.items()}
    evidence = len(numbered) >= 2 or any(
        other and first_page_of(other) == first_page_of(url) for other in (next_url, prev_url)
    )
    if not evidence:
        return None
    own = split_page_url(url)
    number = article.page_no or numbered.get(url) or (own[1] if own else None)
    if number is None and prev_url is None and next_url:
        number = 1  # the page that only points forward is the first
    if number is not None:
        numbered[url] = number
    first = next((u for u, n in sorted(numbered.items()) if n == 1), None)
    if first is None and own is not None:
        first = own[0]
    if first is None and number == 2 and prev_url:
        first = prev_url
    return PagePart(
        url=url,
        article=article,
        number=number,
        first_url=first,
        prev_url=prev_url if prev_url != url else None,
        next_url=next_url if next_url != url else None,
        numbered=numbered,
    )


@dataclass
class Chain:
    """The pages of one article known so far, in page order."""

    urls: list[str]  # every page known to exist, archived or not, in order
    fetched: list[str]  # the pages archived, in order
    missing: int  # pages known to exist but not archived (by URL or by a numbering gap)
    numbers: dict[str, int]

    @property
    def head_url(self) -> str:
        """Page 1 (or the earliest page known): its canonical URL keys the article."""
        return self.urls[0]

    @property
    def article_id(self) -> str:
        return article_id(self.head_url)

    @property
    def complete(self) -> bool:
        return self.missing == 0


def order_chain(parts: list[PagePart]) -> Chain:
    """The order of ``parts`` (one chain), whatever order they arrived in.

    Page numbers come first from what the pages show (numbered page links, their own
    number, page 1's URL), then spread along next/prev links. A chain without any
    number starts at the page no other page names as its next.
    """
    ordered = sorted(parts, key=lambda p: p.url)
    numbers: dict[str, int] = {}

    def put(url: str | None, number: int) -> bool:
        if url and number >= 1 and url not in numbers:
            numbers[url] = number
            return True
        return False

    for part in ordered:
        for url, number in sorted(part.numbered.items()):
            put(url, number)
    for part in ordered:
        put(part.first_url, 1)
    while True:
        grew = False
        for part in ordered:
            if part.url in numbers:
                here = numbers[part.url]
                grew |= put(part.next_url, here + 1)
                grew |= put(part.prev_url, here - 1)
            elif part.prev_url in numbers:
                grew |= put(part.url, numbers[part.prev_url] + 1)
            elif part.next_url in numbers:
                grew |= put(part.url, numbers[part.next_url] - 1)
        if grew:
            continue
        loose = [p for p in ordered if p.url not in numbers]
        if not loose:
            break
        pointed = {p.next_url for p in ordered}
        start = next((p for p in loose if p.url not in pointed), loose[0])
        numbers[start.url] = max(numbers.values(), default=0) + 1
    have = {p.url for p in parts}
    # a URL named under a number that an archived page (or an earlier name) holds is a
    # variant of that page, not another page
    taken = {numbers[u] for u in have}
    urls: list[str] = []
    for url in sorted(numbers, key=lambda u: (numbers[u], u)):
        if url in have:
            urls.append(url)
        elif numbers[url] not in taken:
            urls.append(url)
            taken.add(numbers[url])
    gaps = len(set(range(1, max(numbers.values()) + 1)) - set(numbers.values()))
    return Chain(
        urls=urls,
        fetched=[u for u in urls if u in have],
        missing=sum(1 for u in urls if u not in have) + gaps,
        numbers=numbers,
    )


def compose(chain: Chain, parts: dict[str, PagePart]) -> Article:
    """The stitched article: the head page's metadata (the earliest archived page's when
    page 1 is missing), every page's blocks in page order and their related posts.

    A later page's leading blocks that repeat an earlier page's (the title, the lead
    image, a standfirst) are dropped, as are a heading that repeats the title and any
    repeated image or embed; a heading repeated further down ("Method") is content.
    """
    pages = [parts[u] for u in chain.fetched]
    lead = parts.get(chain.head_url) or pages[0]
    first = lead.article
    blocks: list[Block] = []
    seen: set[tuple[str, str, str | None]] = set()
    for index, part in enumerate(pages):
        leading = True
        page_keys = set()
        for block in part.article.blocks:
            key = (block.kind, block.text, block.src)
            page_keys.add(key)
            repeated = index > 0 and key in seen
            if repeated and (leading or block.kind in _CHROME_KINDS):
                continue
            if index > 0 and block.kind == "heading" and block.text == first.title:
                continue
            leading = False
            blocks.append(block)
        seen |= page_keys
    related: dict[str, RelatedLink] = {}
    for part in pages:
        for link in part.article.related:
            related.setdefault(link.url, link)
    missing = [u for u in chain.urls if u not in parts]
    stitched = Article(
        url=first.url if lead.url == chain.head_url else chain.head_url,
        canonical_url=chain.head_url,
        site=first.site,
        title=first.title,
        authors=list(first.authors),
        published_at=first.published_at,
        published_raw=first.published_raw,
        modified_at=_latest(p.article.modified_at for p in pages),
        modified_raw=None,
        language=first.language,
        site_name=first.site_name,
        section=first.section,
        tags=list(first.tags),
        description=first.description,
        image_url=first.image_url,
        blocks=blocks,
        related=list(related.values()),
        next_page_url=missing[0] if missing else None,
        field_sources={**first.field_sources, "body": "stitched"},
    )
    modified = next(
        (p.article for p in pages if p.article.modified_at == stitched.modified_at), None
    )
    if modified is not None and modified.modified_at:
        stitched.modified_raw = modified.modified_raw
        if "modified_at" in modified.field_sources:
            stitched.field_sources["modified_at"] = modified.field_sources["modified_at"]
    stitched.body_text = "\n\n".join(b.text for b in blocks if b.text)
    stitched.body_html = render_blocks(blocks)
    return stitched


def _latest(values: Any) -> str | None:
    found = [v for v in values if v]
    return max(found) if found else None


# -- storage form -----------------------------------------------------------------------

_ARTICLE_FIELDS = frozenset(f.name for f in fields(Article))


def article_data(article: Article) -> dict[str, Any]:
    """``article`` as JSON-ready data, without what is derived or per-run (warnings)."""
    data = article.to_dict()
    return {k: v for k, v in data.items() if k in _ARTICLE_FIELDS and k != "warnings"}


def article_from_data(data: dict[str, Any]) -> Article:
    """The inverse of :func:`article_data`."""
    values = {k: v for k, v in data.items() if k in _ARTICLE_FIELDS}
    values["blocks"] = [Block(**b) for b in values.get("blocks", [])]
    values["related"] = [RelatedLink(**r) for r in values.get("related", [])]
    return Article(**values)
