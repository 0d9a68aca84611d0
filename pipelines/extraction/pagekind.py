"""Is a page one article, or a hub that lists articles? A pure function of (tree, url).

Evidence, strongest first, each worth points for "article" (positive) or "hub"
(negative); the sum decides and the strongest piece is the reason recorded:

* JSON-LD ``@type``: Article, NewsArticle, BlogPosting, ... versus CollectionPage,
  ItemList, ProfilePage, SearchResultsPage (a plain WebPage says nothing);
* ``og:type``: ``article`` versus ``website``;
* WordPress body classes: ``single-post`` / ``single`` versus ``home``, ``blog``,
  ``archive``, ``category``, ``tag``, ``author``, ``date``, ``search``;
* structure: one main block with a run of long paragraphs versus many teaser
  cards (a linked heading, repeated) and no such run;
* URL shape: ``/``, ``/category/``, ``/tag/``, ``/author/``, ``/page/N/`` versus a
  dated or long hyphenated slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.etree import XPath

from pipelines.extraction import jsonld

HUB_LD_TYPES = frozenset(
    {"CollectionPage", "ItemList", "ProfilePage", "SearchResultsPage", "WebSite", "Blog"}
)
ARTICLE_BODY_CLASSES = frozenset({"single-post", "single", "single-format-standard", "postid"})
HUB_BODY_CLASSES = frozenset(
    {"home", "blog", "archive", "category", "tag", "author", "date", "search", "paged"}
)
_HUB_PATH = re.compile(
    r"^/(?:$|(?:category|categories|tag|tags|topic|topics|author|authors|section|sections|"
    r"archive|archives|search)(?:/|$)|(?:.*/)?page/\d+/?$|\d{4}/(?:\d{2}/?)?$)",
    re.IGNORECASE,
)
_DATED_SLUG = re.compile(r"/\d{4}/\d{2}/(?:\d{2}/)?[^/]*-[^/]*")
#: Linked h2-h4 headings outside nav/footer/aside/header. ``(//h2 | //h3 | //h4)`` names the
#: same elements in the same order as ``//*[self::h2 or ...]`` at a quarter of its cost (#7).
_TEASER_HEADINGS = XPath(
    "(//h2 | //h3 | //h4)[.//a[@href] or ancestor::a[@href]]"
    "[not(ancestor::nav or ancestor::footer or ancestor::aside or ancestor::header)]"
)
_PARAGRAPHS = XPath("//p")
#: Lists of links outside nav/footer/aside/header: a plain home page's "<li><a>" articles.
_LINK_LISTS = XPath(
    "(//ul | //ol)[li//a[@href]]"
    "[not(ancestor::nav or ancestor::footer or ancestor::aside or ancestor::header)]"
)
#: A list is a list of articles when this many of its items lead with a title-like link.
LIST_MIN_ITEMS = 3
#: A link text with this many words reads as a title, not a menu label ("Home", "About us").
TITLE_MIN_WORDS = 4
#: A paragraph this long is prose, not a caption or a label.
LONG_PARAGRAPH = 80
_OG_TYPE = XPath('//meta[@property="og:type" or @name="og:type"]/@content')


@dataclass(frozen=True)
class PageKind:
    kind: str  # "article" or "hub"
    reason: str  # the strongest evidence, e.g. "json-ld:NewsArticle"
    score: int  # >= 0 article, < 0 hub


def _longest_paragraph_run(root: Any) -> int:
    """Most long paragraphs under one parent: an article body has a run of them, while
    a hub's teaser cards hold one excerpt each, however long."""
    runs: dict[Any, int] = {}
    for p in _PARAGRAPHS(root):
        if _is_long(p.text_content()):
            parent = p.getparent()
            runs[parent] = runs.get(parent, 0) + 1
    return max(runs.values(), default=0)


def _is_long(text: str) -> bool:
    """``len(" ".join(text.split())) >= LONG_PARAGRAPH``, mostly from the text's head: the
    whitespace-normalised length of a prefix never exceeds the whole's (issue 7)."""
    if len(text) < LONG_PARAGRAPH:
        return False
    if len(" ".join(text[: 2 * LONG_PARAGRAPH].split())) >= LONG_PARAGRAPH:
        return True
    return len(" ".join(text.split())) >= LONG_PARAGRAPH


def _body_classes(root: Any) -> set[str]:
    body = root.find(".//body") if root.tag != "body" else root
    if body is None:
        return set()
    classes = set((body.get("class") or "").lower().split())
    return classes | {c.split("-")[0] for c in classes if c.startswith("postid-")}


def classify(root: Any, url: str, ld_objects: list[dict[str, Any]] | None = None) -> PageKind:
    """Article or hub, with the reason. ``ld_objects`` may pass JSON-LD already parsed."""
    evidence: list[tuple[int, str]] = []
    objects = ld_objects if ld_objects is not None else jsonld.objects(root)
    types = set().union(*(jsonld.types_of(o) for o in objects)) if objects else set()
    article_types = sorted(types & jsonld.ARTICLE_TYPES)
    if article_types:
        evidence.append((6, f"json-ld:{article_types[0]}"))
    elif types & HUB_LD_TYPES:
        evidence.append((-5, f"json-ld:{sorted(types & HUB_LD_TYPES)[0]}"))

    og = [str(v).strip().lower() for v in _OG_TYPE(root)]
    if "article" in og:
        evidence.append((4, "og:type=article"))
    elif "website" in og:
        evidence.append((-2, "og:type=website"))

    classes = _body_classes(root)
    if classes & HUB_BODY_CLASSES and not classes & {"single-post", "single"}:
        evidence.append((-5, f"body-class:{sorted(classes & HUB_BODY_CLASSES)[0]}"))
    elif classes & ARTICLE_BODY_CLASSES:
        evidence.append((5, f"body-class:{sorted(classes & ARTICLE_BODY_CLASSES)[0]}"))

    run = _longest_paragraph_run(root)
    teasers = len(_TEASER_HEADINGS(root))
    if run >= 3:
        evidence.append((3, f"structure:{run}-paragraph-run"))
    elif teasers >= 4:
        evidence.append((-4, f"structure:{teasers}-teasers"))

    path = urlsplit(url).path or "/"
    if _HUB_PATH.match(path):
        evidence.append((-3, f"url:{path}"))
    elif _DATED_SLUG.search(path) or path.strip("/").split("/")[-1].count("-") >= 3:
        evidence.append((2, "url:slug"))

    if not evidence:  # a page is an article page unless something says it lists others
        return PageKind("article", "no-evidence", 0)
    score = sum(points for points, _ in evidence)
    kind = "article" if score >= 0 else "hub"
    deciding = [e for e in evidence if (e[0] > 0) == (kind == "article")] or evidence
    reason = max(deciding, key=lambda e: abs(e[0]))[1]
    return PageKind(kind, reason, score)


def hub_article_links(root: Any, base_url: str) -> list[str]:
    """The article links of a hub's teaser cards, in page order: a linked heading (or a
    heading inside a link) outside navigation, header, footer and sidebars. Menus, tag
    clouds, share bars and footers are not teaser cards, so they are not returned; links
    that look like hubs themselves (sections, tags, pagination) are dropped too."""
    found: list[str] = []
    anchors: list[Any] = []
    for head in _TEASER_HEADINGS(root):
        anchors.extend((head.xpath(".//a[@href]") or head.xpath("ancestor::a[@href][1]"))[:1])
    anchors.extend(_list_article_anchors(root))
    for anchor in anchors:
        url = urljoin(base_url, anchor.get("href", "").strip())
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and not _HUB_PATH.match(parts.path or "/"):
            found.append(url)
    return list(dict.fromkeys(found))


def _list_article_anchors(root: Any) -> list[Any]:
    """The links of a plain list of articles (#20): a ``<ul>``/``<ol>`` outside navigation,
    header, footer and sidebars in which at least :data:`LIST_MIN_ITEMS` items lead with a
    link whose text reads as a title (:data:`TITLE_MIN_WORDS` words or more). Menus and tag
    lists have short labels, so they are not taken."""
    found: list[Any] = []
    for listing in _LINK_LISTS(root):
        titled = []
        for item in listing.iterchildren("li"):
            links = item.xpath(".//a[@href]")
            if links and len(links[0].text_content().split()) >= TITLE_MIN_WORDS:
                titled.append(links[0])
        if len(titled) >= LIST_MIN_ITEMS:
            found.extend(titled)
    return found
