"""Main-content detection: the element that holds the article body, and how far it
reaches (its sibling sections). The walk through it is in body.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipelines.extraction import selectors as sel
from pipelines.extraction.chrome import is_boilerplate, is_strong_chrome
from pipelines.extraction.clean import normalize_space, space_len
from pipelines.extraction.density import (
    inside_chrome,
    link_len,
    mass,
    parent_span,
    text_len,
    text_span,
)

_TRIES = 8  # scored candidates looked at, best first, for one outside page chrome


#: Up to this many (candidate, link) pairs, each candidate counts its own links.
_PER_CANDIDATE_WORK = 50_000


def _link_lengths(root: Any, candidates: Iterable[Any]) -> dict[Any, int]:
    """``_link_len`` of each candidate, from one pass over the page's links.

    Scoring asks it of many nested candidates; asking each one separately costs
    O(candidates x links) and, with links nested in links (invalid, but parsed as
    such), fuzzing found pages taking seconds. Here a link's text counts once, at the
    outermost link, which is what it is for well-formed pages. Small pages take the
    direct route, faster there and equal wherever links do not nest.
    """
    lengths = dict.fromkeys(candidates, 0)
    links = list(root.iter("a"))
    if len(links) * len(lengths) <= _PER_CANDIDATE_WORK:  # the common case: cheaper
        return {el: link_len(el) for el in lengths}
    for a in links:
        holders = [a] if a in lengths else []
        for ancestor in a.iterancestors():
            if ancestor.tag == "a":
                break  # a link inside a link: counted with the outer one
            if ancestor in lengths:
                holders.append(ancestor)
        else:
            n = space_len(a.text_content())
            for holder in holders:
                lengths[holder] += n
    return lengths


def _selector_container(root: Any, name_values: str | None = None) -> Any | None:
    """The body container a known theme/CMS selector names, when it holds enough text.
    ``name_values``: the page's class, id and itemprop values (``PageScan.name_values``),
    or None to read them here."""
    names = "\n".join(sel.NAME_VALUES(root)) if name_values is None else name_values
    for needles, xpath in sel.CONTENT_XPATHS:
        if not any(needle in names for needle in needles):
            continue
        best, best_len = None, 0
        found = [el for el in xpath(root) if el.tag not in ("body", "html")]
        links = _link_lengths(root, found) if found else {}
        for el in found:
            if is_boilerplate(el):
                continue
            n = space_len(el.text_content()) - links[el]
            if n > best_len:
                best, best_len = el, n
        if best is not None and best_len >= 250:
            return best
    return None


def _scored_container(root: Any) -> Any | None:
    """Readability-style scoring: paragraphs vote for their parent and grandparent."""
    scores: dict[Any, float] = {}
    blocked = set()
    for head in root.iter("h2", "h3", "h4"):
        if sel.RELATED_HEADING.match(normalize_space(head.text_content()).rstrip(":.…")):
            parent = head.getparent()
            if parent is not None:
                blocked.add(parent)
    for p in root.iter("p", "pre", "td", "blockquote"):
        text = normalize_space(p.text_content())
        if len(text) < 25:
            continue
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        parent = p.getparent()
        if parent is None:
            continue
        if blocked and any(a in blocked for a in p.iterancestors()):
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    ranked = _best_scored(root, scores)
    totals: dict[Any, int] = {}
    for _score, _i, el in ranked[:_TRIES]:
        if not inside_chrome(el, is_strong_chrome, totals):
            return el  # the best candidate that is not one comment of a thread
    return ranked[0][2] if ranked else None


def _best_scored(root: Any, scores: dict[Any, float]) -> list[tuple[float, int, Any]]:
    """The best :data:`_TRIES` candidates, best first, as ``(-score, vote order, el)``:
    votes (x 1.25 for a positive class name) times one minus the link density.

    The density only lowers a score, so candidates are scored exactly in the order of
    their votes and no further once the next one's votes cannot beat the worst of the
    best :data:`_TRIES` found: the same list as scoring all of them (a page's ~100
    candidates each cost a text and a link walk), for the few near the top."""
    bounds: list[tuple[float, int, Any]] = []
    for i, (el, votes) in enumerate(scores.items()):
        if el.tag == "html" or is_boilerplate(el):
            continue
        positive = sel.positive(f"{el.get('class', '')} {el.get('id', '')}")
        bound = votes * 1.25 if positive else votes
        if bound > 0:
            bounds.append((-bound, i, el))
    bounds.sort()
    n_links = sum(1 for _ in root.iter("a")) if bounds else 0
    lengths = _link_lengths(root, scores) if n_links * len(scores) > _PER_CANDIDATE_WORK else None
    ranked: list[tuple[float, int, Any]] = []
    for neg_bound, i, el in bounds:
        if len(ranked) >= _TRIES and -neg_bound < -ranked[_TRIES - 1][0]:
            break  # neither this one nor any after it can enter the best few
        score = -neg_bound
        total = text_len(el)
        if total:
            links = lengths[el] if lengths is not None else link_len(el)
            score *= 1 - min(links / total, 1.0)
        if score > 0:
            ranked.append((-score, i, el))
            ranked.sort()
    return ranked[:_TRIES]


def find_container(root: Any, name_values: str | None = None) -> tuple[Any | None, str]:
    """The element holding the body, and the method that found it."""
    found = _selector_container(root, name_values)
    if found is not None:
        return found, "selector"
    found = _scored_container(root)
    if found is not None:
        return found, "scored"
    return root.find("body"), "page"


def _more_of_the_same(
    node: Any,
    parent: Any,
    max_links: float = 0.4,
    masses: dict[Any, tuple[int, int, int]] | None = None,
) -> bool:
    """Whether what ``parent`` adds to ``node`` is more article: prose, few links.

    An article split into sibling sections (one ``div`` per h2, a listicle's items,
    a page builder's text widgets) makes the paragraph vote pick one section; its
    siblings then hold text of the same kind, which page chrome does not.
    """
    masses = {} if masses is None else masses
    for el in (node, parent):
        if el not in masses:
            masses[el] = mass(el)
    total, prose, links = masses[parent]
    own_total, own_prose, own_links = masses[node]
    extra, extra_prose, extra_links = total - own_total, prose - own_prose, links - own_links
    if extra <= 0:
        return True
    return extra_prose >= 0.6 * extra and extra_links <= max_links * extra and extra_prose > 200


def expand(container: Any, climb: bool = True) -> list[Any]:
    """The container plus its same-class siblings: a body split into several sections.

    Climbs through wrappers that hold little besides the container; stops at
    the first ancestor with other content. With ``climb``, an ancestor whose other
    content is more of the same (:func:`_more_of_the_same`) is taken instead.
    """
    node = best = container
    span = text_span(container)  # of node: each wrapper is measured from it (issue 15)
    size = container_len = span.length
    parts: list[Any] = []  # same-class siblings, found on the way up
    masses: dict[Any, tuple[int, int, int]] = {}
    for _ in range(10):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        cls = node.get("class")
        if not parts and cls and sel.positive(cls) and not sel.LAYOUT.search(cls):
            siblings = [
                s
                for s in parent
                if s is node
                or (s.tag == node.tag and s.get("class") == cls and not is_boilerplate(s))
            ]
            extra = sum(
                len(p.text_content()) for s in siblings if s is not node for p in s.iter("p")
            )
            if len(siblings) > 1 and extra >= 100:
                if not climb:
                    return siblings
                parts = siblings  # unless an ancestor proves to hold more of the same
                best = parent
        if is_boilerplate(parent) or parent.tag == "header":
            break
        span = parent_span(parent, node, span)
        if span.length > size * 1.3 + 200:
            # A container a selector names needs stronger evidence to be overruled.
            if not _more_of_the_same(node, parent, 0.4 if climb else 0.2, masses):
                break
            if climb or masses[parent][1] > 3 * container_len:
                best = parent
        node = parent
        size = span.length
    if parts and best is parts[0].getparent():
        return parts
    return [best]
