"""JSON-LD: every object of every ``application/ld+json`` script, ``@graph`` flattened."""

from __future__ import annotations

import json
import re
from typing import Any

from lxml.etree import XPath

_SCRIPTS = XPath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x1f]")

ARTICLE_TYPES = frozenset(
    [
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
        "TechArticle",
        "ScholarlyArticle",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "Report",
        "AdvertiserContentArticle",
        "SatiricalArticle",
        "MedicalScholarlyArticle",
        "DiscussionForumPosting",
        "Review",
    ]
)


def _load(text: str) -> Any:
    text = text.strip().removeprefix("<!--").removesuffix("-->").strip()
    text = text.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    data = _parse(text)
    if data is None:  # hand-written JSON-LD: raw control characters, trailing commas
        data = _parse(_TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", text)))
    return data


def _parse(text: str) -> Any:
    """The JSON value of ``text``; None when it is not JSON (or is ``null``)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def _flatten(data: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, out)
    elif isinstance(data, dict):
        out.append(data)
        graph = data.get("@graph")
        if graph is not None:
            _flatten(graph, out)


def objects(root: Any) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, in document order."""
    out: list[dict[str, Any]] = []
    for script in _SCRIPTS(root):
        text = script.text or ""
        if text.strip():
            _flatten(_load(text), out)
    return out


def types_of(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    if isinstance(value, str):
        return {value.rsplit("/", 1)[-1]}
    if isinstance(value, list):
        return {str(v).rsplit("/", 1)[-1] for v in value}
    return set()


def article_object(objs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The Article-like object of the page (the first with the most article fields)."""
    best: dict[str, Any] | None = None
    best_score = 0
    for obj in objs:
        types = types_of(obj)
        score = 0
        if types & ARTICLE_TYPES:
            score += 10
        elif "WebPage" in types or "ItemPage" in types:
            score += 2
        else:
            continue
        score += sum(1 for k in ("headline", "datePublished", "author", "articleBody") if k in obj)
        if score > best_score:
            best, best_score = obj, score
    return best


def by_id(objs: list[dict[str, Any]], ref: Any) -> Any:
    """Resolve a ``{"@id": ...}`` reference (Yoast ``@graph`` style) to its object."""
    if isinstance(ref, dict) and set(ref) <= {"@id", "@type"} and "@id" in ref:
        for obj in objs:
            if obj.get("@id") == ref["@id"] and len(obj) > 1:
                return obj
    return ref


def text_value(value: Any) -> str | None:
    """A string out of a JSON-LD value that may be a string, list or object."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return text_value(value[0])
    if isinstance(value, dict):
        for key in ("name", "url", "@value", "contentUrl", "@id"):
            if isinstance(value.get(key), str):
                return str(value[key])
    if isinstance(value, int | float):
        return str(value)
    return None


def names(value: Any, objs: list[dict[str, Any]]) -> list[str]:
    """Person/organisation names from an ``author``-like value."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for ref in items:
        item = by_id(objs, ref)
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                out.append(name)
            elif isinstance(name, list):
                out.extend(str(n) for n in name if isinstance(n, str))
    return out
