"""Page metadata: title, authors, language, site name, section, tags, description, image,
canonical URL. Each value says where it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from pipelines.extraction import authors, bylines, jsonld
from pipelines.extraction.clean import (
    normalize_space,
    strip_title_suffix,
)


@dataclass
class Metadata:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def set(self, key: str, value: Any, source: str) -> None:
        if value and key not in self.values:
            self.values[key] = value
            self.sources[key] = source


def collect_meta(root: Any) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``<meta>`` contents by lower-cased name/property, and ``<link rel>`` hrefs by rel."""
    metas: dict[str, list[str]] = {}
    links: dict[str, str] = {}
    if root is None:
        return metas, links
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            metas.setdefault(key.strip().lower(), []).append(content.strip())
    for el in root.iter("link"):
        rel, href = (el.get("rel") or "").lower(), el.get("href")
        if href:
            for token in rel.split():
                links.setdefault(token, href.strip())
    return metas, links


def _first(metas: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for raw in metas.get(key, ()):
            value = normalize_space(raw)
            if value:
                return value
    return None


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).netloc or "").lower().rsplit("@", 1)[-1]
    except ValueError:
        return ""


def without_fragment(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit(parts._replace(fragment=""))


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def canonical(url: str, links: dict[str, str], metas: dict[str, list[str]]) -> tuple[str, str]:
    """``(canonical_url, source)``: rel=canonical or og:url on the same site, else the URL."""
    base_host = _strip_www(host_of(url))
    for href, source in ((links.get("canonical"), "canonical"), (_first(metas, "og:url"), "og")):
        if not href:
            continue
        try:
            absolute = without_fragment(urljoin(url, href.strip()))
        except ValueError:
            continue
        if (
            absolute.startswith(("http://", "https://"))
            and _strip_www(host_of(absolute)) == base_host
        ):
            return absolute, source
    return without_fragment(url), "url"


def _is_site_name(title: str, site_name: str | None) -> bool:
    return bool(site_name) and title.casefold() == normalize_space(site_name).casefold()


def _headline_wins(h1: str, head_title: str | None, site_name: str | None) -> bool:
    """The visible <h1> over the head's title: where the head's adds a suffix or a section
    tag ("… | Editorial", "Leadfeeder | …", "…: новости, фото 2018"), or rewords the
    headline for search engines. Never a site name, never a one-word or short heading."""
    if len(h1) < 12 or len(h1.split()) < 2 or _is_site_name(h1, site_name):
        return False
    if not head_title:
        return False
    h, t = h1.casefold(), normalize_space(head_title).casefold()
    if h in t:
        return True
    # a different wording of the same headline (the head's is often written for search
    # engines): the visible one, when they share words
    hw, tw = set(re.findall(r"\w+", h)), set(re.findall(r"\w+", t))
    return len(hw & tw) >= _SHARED_WORDS * min(len(hw), len(tw))


#: The share of words an <h1> must have in common with the head's title to be taken as the
#: same headline reworded (a lower share is more often a logo or a section heading).
_SHARED_WORDS = 0.3


def title_hint(root: Any, metas: dict[str, list[str]]) -> str | None:
    """The title as the head states it (og:title, else <title>): finds the headline's <h1>."""
    return _first(metas, "og:title", "twitter:title") or (
        _first_text(root, "title") if root is not None else None
    )


def _first_text(root: Any, tag: str) -> str | None:
    for el in root.iter(tag):
        text = normalize_space(el.text_content())
        if text:
            return text
    return None


def extract_metadata(  # noqa: PLR0917 - one call site, the parts parsed once upstream
    root: Any,
    url: str,
    metas: dict[str, list[str]],
    links: dict[str, str],
    objs: list[dict[str, Any]],
    article: dict[str, Any] | None,
    zone: Any = None,
) -> Metadata:
    """Everything but the body and the dates."""
    md = Metadata()
    art = article or {}
    # site name first: the title and authors are cleaned against it
    publisher = jsonld.by_id(objs, art.get("publisher"))
    md.set("site_name", _first(metas, "og:site_name", "application-name"), "og")
    md.set("site_name", normalize_space(jsonld.text_value(publisher)), "jsonld")
    for obj in objs:
        if "WebSite" in jsonld.types_of(obj):
            md.set("site_name", normalize_space(jsonld.text_value(obj.get("name"))), "jsonld")
    site_name = md.values.get("site_name")

    og_title = _first(metas, "og:title", "twitter:title")
    headline = normalize_space(jsonld.text_value(art.get("headline") or art.get("name")))
    h1 = _first_text(root, "h1") if root is not None else None
    doc_title = _first_text(root, "title") if root is not None else None
    shown = zone.headline if zone is not None else None
    if shown and _headline_wins(shown, og_title or headline or doc_title, site_name):
        md.set("title", shown, "h1")
    for value, source in (
        (og_title, "og"),
        (headline, "jsonld"),
        (h1, "h1"),
        (doc_title, "title"),
    ):
        if value:
            title = strip_title_suffix(value, site_name)
            if not _is_site_name(title, site_name):
                md.set("title", title, source)

    site_names = (site_name or "", _publisher_name(publisher))
    _set_authors(md, root, metas, objs, art, zone, site_names, url)

    lang = root.get("lang") if root is not None else None
    md.set("language", normalize_space(lang), "html")
    md.set(
        "language",
        _first(metas, "og:locale", "content-language", "language", "dc.language"),
        "meta",
    )
    md.set("language", normalize_space(jsonld.text_value(art.get("inLanguage"))), "jsonld")
    if "language" in md.values:
        md.values["language"] = md.values["language"].replace("_", "-")

    md.set("section", _first(metas, "article:section", "section", "parsely-section"), "meta")
    md.set("section", normalize_space(jsonld.text_value(art.get("articleSection"))), "jsonld")

    tags = [normalize_space(t) for t in metas.get("article:tag", ())]
    md.set("tags", _dedupe(tags), "meta")
    keywords = art.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list):
        md.set("tags", _dedupe([normalize_space(str(k)) for k in keywords]), "jsonld")
    if root is not None:
        rel_tags = [
            normalize_space(a.text_content())
            for a in root.iterfind(".//a[@rel]")
            if "tag" in a.get("rel", "").split() and "category" not in a.get("rel", "")
        ]
        md.set("tags", _dedupe(rel_tags), "links")
    kw_meta = _first(metas, "news_keywords", "keywords")
    if kw_meta:
        md.set("tags", _dedupe([normalize_space(k) for k in kw_meta.split(",")]), "meta")

    md.set(
        "description", _first(metas, "og:description", "description", "twitter:description"), "meta"
    )
    md.set("description", normalize_space(jsonld.text_value(art.get("description"))), "jsonld")

    image = _first(
        metas,
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    )
    source = "og"
    if not image:
        image, source = jsonld.text_value(art.get("image")), "jsonld"
    if not image and links.get("image_src"):
        image, source = links["image_src"], "link"
    if image:
        md.set("image_url", safe_join(url, image), source)
    return md


def _publisher_name(publisher: Any) -> str:
    return normalize_space(jsonld.text_value(publisher)) if isinstance(publisher, dict) else ""


def _set_authors(  # noqa: PLR0917 - the page parts, parsed once upstream
    md: Metadata,
    root: Any,
    metas: dict[str, list[str]],
    objs: list[dict[str, Any]],
    art: dict[str, Any],
    zone: Any,
    site_names: tuple[str, ...],
    url: str = "",
) -> None:
    """Authors from the first source that names a person (authors.py), else an organisation.

    The byline beside the headline is what a reader sees: where it names people and the
    structured sources name only CMS logins or teams ("andrew.keaveney", "Acme Team"), it
    wins. It is read only then, or where they name no one (issue 16: cost)."""
    people, orgs = authors.jsonld_authors(art, objs)
    meta_names = authors.meta_authors(metas)
    structured = [
        (authors.clean_people(people, site_names), "jsonld"),
        (authors.clean_people(meta_names, site_names), "meta"),
    ]
    first = next((names for names, _ in structured if names), None)
    visible: list[str] = []
    if zone is not None and (first is None or all(map(authors.not_a_byline, first))):
        visible = bylines.header_class_authors(root, zone, site_names)
        source = "byline"
        if not visible:
            visible, source = authors.text_authors(zone.after, site_names), "text"
    for names, where in structured:
        if names and not (visible and authors.overrides(visible, names)):
            md.set("authors", names, where)
    if visible:
        md.set("authors", visible, source)
    if zone is not None and "authors" not in md.values:
        md.set("authors", authors.text_authors(zone.before, site_names, False), "text")
    if "authors" not in md.values:  # a one-person site named for its author
        orgs_named = authors.organisation_names(objs)
        named = authors.site_owner(host_of(url), site_names, people + meta_names, orgs_named)
        md.set("authors", named, "site-owner")
    if root is not None and "authors" not in md.values:
        cands = bylines.candidates(root)  # one pass over the tree for both fallbacks
        md.set("authors", bylines.byline_authors(cands, site_names), "byline")
        md.set("authors", bylines.page_class_authors(cands, site_names), "author-box")
    if "authors" not in md.values:
        md.set("authors", bylines.page_text_authors(root, site_names), "text")
    md.set("authors", authors.clean_people(orgs), "jsonld-organization")
    if zone is not None and "authors" not in md.values:
        # a byline naming only the site itself ("By Hardtail Canada"): the organisation
        named = bylines.header_class_authors(root, zone) or authors.text_authors(zone.after)
        md.set("authors", named, "byline-organization")
    md.set("authors", authors.clean_people([site_names[1]]), "publisher-organization")
    # JSON-LD or meta naming the site itself as the author ("Freewrite Store"): an organisation
    md.set("authors", authors.clean_people(people + meta_names), "site-organization")


def safe_join(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``; None when either is not a valid URL."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out
