"""Authors as a list of people: their sources and the cleaning of names (docs/schema.md,
``authors``); ``metadata._set_authors`` tries the sources in turn.

1. schema.org ``author`` in JSON-LD (``@id`` references followed inside ``@graph``): Persons;
2. meta ``author``, ``article:author`` (a name, not a URL), ``parsely-author``,
   ``sailthru.author``, ``dc.creator`` (a byline beside the headline naming people wins
   over structured names that are all logins or teams: :func:`overrides`);
3. "By A and B" / "Written by A, B and C" / a name beside the date in the text around the
   headline (``zones``, :func:`text_authors`);
4. a one-person site's owner (:func:`site_owner`);
5. byline elements, author boxes and "Written by" text anywhere (:mod:`bylines`);
6. an organisation only where no person is named (``…-organization`` sources).

Names are cleaned of "By", roles, credentials, dates, "Updated", social handles and the
site's own name; "Reviewed by" and "Fact checked by" name reviewers, not authors.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pipelines.extraction import jsonld
from pipelines.extraction.clean import clean_author, normalize_space, split_authors

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĘĚĞŁŃŇŐŒŘŚŞŠŢŤŰŹŻŽ"
_WORD = rf"(?:[{_UPPER}][\w'’.-]*|[{_UPPER}]\.)"
_PARTICLE = r"(?:de|van|von|der|den|da|di|del|la|le|du|bin|al|ter|dos|das)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,3}}"
#: "By A", "Written by A and B", "Author: A, B & C" (names capitalised).
BYLINE_IN_TEXT = re.compile(
    rf"(?:(?:^|[•|]\s*|(?<=\d)\s+)(?P<lead>(?i:by|von|par|por|authors?|contributors?|written|words)\b)|"
    rf"(?P<lead2>(?i:(?:written|posted|published|reported|story|text|article|words)\s+by|"
    rf"authors?:)))[\s:•]*"
    rf"(?P<names>{_NAME}(?:\s*(?:,|\b(?:and|und|et|y)\b|&|•\s*,|•\s*and)\s*{_NAME})*)",
)
_NOT_AUTHOR_LEAD = re.compile(
    r"(?:review(?:ed)?|fact[- ]?check(?:ed)?|edit(?:ed)?|illustrat(?:ed|ions?)|"
    r"photo(?:s|graph(?:y|ed))?|"
    r"images?|video|translat(?:ed|ion)|produced|narrated|sponsored|presented|powered|supported|"
    r"verified|approved|tested)\W*$",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PARTICLES = _words("de van von der den da di del la le du bin al ter dos das e y")
#: Lower-case words an organisation's name may hold ("Center for Drug Evaluation and Research").
_ORG_LINKS = _words("for and of the in at on by to with")
_CALENDAR_WORDS = _words(
    "jan january feb february mar march apr april may jun june jul july aug august "
    "sep sept september oct october nov november dec december mon monday tue tuesday "
    "wed wednesday thu thursday fri friday sat saturday sun sunday today yesterday"
)
_MONTHS = _words(
    "jan january feb february mar march apr april may jun june jul july aug august "
    "sep sept september oct october nov november dec december"
)
_CREDENTIALS = _words(
    "md phd rd ms mph do rn cfa cpa jr sr mba ma bsc msc dr ld cscs np fand dvm vmd "
    "lvt dds rdn cde cdces facp faap mcp esq llm jd ba bs pa-c aprn fnp ibclc cpt "
    "nasm ace lmt"
)
_CREDENTIAL_TAIL = re.compile(r"(?:\s*,?\s*(?:[A-Z][A-Za-z.-]{0,5}\.?|Ph\.?D\.?|M\.?D\.?))+$")
_HANDLE = re.compile(r"(?:^|\s)@[\w.]+")
#: "The Upwork TeamPublished": words run together where the page put two elements side by side.
_GLUED = re.compile(r"(?<=[a-z])(?=(?:Published|Updated|Posted|Reviewed|Edited|Last|Founder|\d))")
_ROLE_AFTER = re.compile(
    r"\s+(?:(?:co-?)?founder|ceo|cto|cfo|coo|president|(?:senior|staff|contributing|managing|"
    r"executive|chief|lead|associate|deputy)\s+\w+|editor|writer|reporter|journalist|contributor|"
    r"columnist|correspondent|analyst|expert|specialist|strategist|consultant|dietitian|"
    r"nutritionist|manager|director|head of)\b.*$",
    re.IGNORECASE,
)
#: Where a byline's names end: a date, a time, "5 min read", "Updated ...", "Published on".
_DATE_TAIL = re.compile(
    r"(?:\s*[•|,–—-]\s*|\s+)(?:(?:updated|published|posted|last updated?|"
    r"on(?=\s+\S)|reviewed|fact[- ]checked|edited)\b|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\d).*$",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: A date before the name: "Dec 17, 2025 · Julian K. Arni", "2025-12-17 Trond Teigen".
_LEADING_DATE = re.compile(
    rf"^\W*(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?(?:\s+\d{{4}})?|"
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})[\s•|·,–—-]*",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(
    r"https?://|www\.|\.com\b|^\W*$|^(?:admin|administrator|staff|editor|editorial|team|guest|"
    r"anonymous|undefined|null|none|unknown|webmaster|author|authors|written by|by|"
    r"corresponding author|category|categories|manufacturer|brand|topic|industry|region|"
    r"product|price|type|date|location|subject)\W*$|"
    r"\b(?:min(?:ute)?s? read|comments?|share|follow|subscribe|"
    r"reviewed|reviewer|researched|written|edited|fact checked|medically|updated|published|"
    r"posted|bio|"
    r"sign in|log in|menu)\b",
    re.IGNORECASE,
)


def strip_credentials(name: str) -> str:
    """ "Jane Doe, MD, PhD" -> "Jane Doe"; "Dr. Jane Doe" keeps its name."""
    parts = [p.strip() for p in name.split(",")]
    while len(parts) > 1 and (
        parts[-1].replace(".", "").lower() in _CREDENTIALS
        or (parts[-1].isupper() and len(parts[-1]) <= 6)
    ):
        parts.pop()
    words = " ".join(parts[:1] + [p for p in parts[1:]]).split()
    while len(words) > 1 and words[-1].replace(".", "").replace(",", "").lower() in _CREDENTIALS:
        words.pop()
    return " ".join(words).rstrip(",")


def clean_person(raw: str, site_names: tuple[str, ...] = ()) -> str | None:
    """One author's name, cleaned; None when what is left is not a name."""
    name = normalize_space(raw).replace("\u2022", " ")
    name = _HANDLE.sub(" ", name)
    name = _LEADING_DATE.sub("", normalize_space(name))
    name = _DATE_TAIL.sub("", _GLUED.sub(" ", name))
    name = clean_author(name)
    person = _ROLE_AFTER.sub("", name)
    # "SFist Contributor", "Community Editor": a role after the site's name or one word is
    # the byline's whole label, not a person's title
    sites = {s.casefold() for s in site_names if s}
    if person != name and (len(person.split()) < 2 or person.casefold() in sites):
        person = name
    name = strip_credentials(person)
    name = name.strip(" ,;:|-–—·()[]\"'")
    if not name or len(name) > 60 or len(name.split()) > 6 or not any(c.isalpha() for c in name):
        return None
    if _NOT_A_NAME.search(name) or re.search(r"\d|[a-z]\.[a-z]+\.[a-z]", name):
        return None
    words = [w.strip(".,").casefold() for w in name.split()]
    while len(words) > 2 and words[-1] in _MONTHS:  # "Sofia Gonzalez December"
        words.pop()
        name = name.rsplit(None, 1)[0].rstrip(" ,")
    if all(w in _CREDENTIALS for w in words):  # "Jane Doe, MD, PhD" split at its commas
        return None
    if name.casefold().rstrip(".") in _CALENDAR_WORDS:
        return None
    if not name.islower() and any(
        w[0].islower() and w.isalpha() and w not in _PARTICLES and w not in _ORG_LINKS
        for w in name.split()[1:]
    ):  # "Personal finance", "Learn about our policies": words, not a name
        return None
    key = name.casefold().replace(" ", "")
    for site in site_names:
        if site and key == site.casefold().replace(" ", ""):
            return None
    return name


def looks_like_login(name: str) -> bool:
    """A CMS login rather than a byline: one token with a dot, underscore or inner capital
    ("andrew.keaveney", "brandon-peaktwo", "KatieS"), or all lower case."""
    return " " not in name and (bool(re.search(r"[._\d-]|[a-z][A-Z]", name)) or name.islower())


#: Words that name a team, desk or business, never a person's surname.
_ORG_WORDS = _words(
    "team staff admin administrator editors editorial desk newsroom inc llc ltd gmbh corp "
    "group media news blog contributor contributors clinic hospital health university "
    "college school institute center centre store shop studio studios labs lab magazine "
    "journal times press agency company foundation association society network official "
    "online digital marketing solutions services consulting academy"
)


def not_a_byline(name: str) -> bool:
    """A structured "author" that a visible byline beside the headline overrides: a CMS
    login, or a team, desk or company ("Automateed Team", "NOC Admin")."""
    return looks_like_login(name) or bool(_ORG_WORDS & set(name.casefold().split()))


def overrides(visible: list[str], structured: list[str]) -> bool:
    """Whether the byline beside the headline wins over the structured names: they are all
    logins, teams or companies, and it names people ("Spencer Lee" over "Acme Team")."""
    return all(map(not_a_byline, structured)) and all(PERSON.match(v) for v in visible)


def clean_people(names: list[str], site_names: tuple[str, ...] = ()) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = clean_person(raw, site_names)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


_ORG_TYPES = frozenset(
    [
        *("Organization", "NewsMediaOrganization", "Corporation", "EducationalOrganization"),
        *("LocalBusiness", "OnlineBusiness", "OnlineStore", "Store", "ProfessionalService"),
    ]
)


def jsonld_authors(art: dict[str, Any] | None, objs: list[dict[str, Any]]) -> tuple[list, list]:
    """``(people, organisations)`` named as the article's ``author`` (or ``creator``)."""
    people: list[str] = []
    orgs: list[str] = []
    holders = [art] if art else []
    holders += [o for o in objs if o is not art and ("author" in o or "creator" in o)]
    for holder in holders:
        value = holder.get("author") or holder.get("creator")
        items = value if isinstance(value, list) else [value]
        for ref in items:
            item = jsonld.by_id(objs, ref)
            if isinstance(item, str):
                people.append(item)
            elif isinstance(item, dict):
                names = item.get("name")
                names = names if isinstance(names, list) else [names]
                types = jsonld.types_of(item)
                bucket = (
                    orgs
                    if types & {"Organization", "NewsMediaOrganization", "Corporation"}
                    else people
                )
                bucket.extend(n for n in names if isinstance(n, str))
        if people or orgs:
            break
    return people, orgs


_META_KEYS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "cxenseparse:author",
    "citation_author",
)


def meta_authors(metas: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for key in _META_KEYS:
        for value in metas.get(key, ()):
            if "://" in value or value.startswith("www."):
                continue  # article:author is often the author's profile URL
            out.extend(split_authors(value))
        if out:
            break
    return out


def text_authors(
    text: str, site_names: tuple[str, ...] = (), beside_date: bool = True
) -> list[str]:
    """Names after "By" / "Written by" / "Author:" in header text, cleaned; reviewers,
    editors and photographers skipped. Else a name set just before the date ("Jane Doe •
    May 2, 2025", "Jane Doe | Senior Writer | May 2, 2025")."""
    for match in BYLINE_IN_TEXT.finditer(text):
        group = "lead" if match.group("lead") else "lead2"
        before = text[max(0, match.start(group) - 40) : match.start(group)]
        lead = match.group(group).strip().lower()
        if _NOT_AUTHOR_LEAD.search(before + " " + lead.removesuffix("by").strip()):
            continue
        if lead in ("by", "von", "par", "por") and _NOT_AUTHOR_LEAD.search(before.rstrip()):
            continue
        names = match.group("names").replace("•", " ")
        found = clean_people(split_authors(names), site_names)
        if found:
            return found
    for match in _NAME_THEN_DATE.finditer(text) if beside_date else ():
        name = next(n for n in match.group("name", "name2", "name3", "name4") if n)
        found = clean_people([name], site_names)
        if found and not _NOT_NAME_WORDS & set(found[0].casefold().split()):
            return found
    return []


_ROLE_WORDS = (
    r"(?:writer|editor|reporter|journalist|contributor|columnist|correspondent|author|analyst|"
    r"founder|ceo|manager|director|expert|specialist|strategist|consultant|marketer|lead|head)"
)
_MONTH_OR_NUMERIC = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|"
    r"\d{1,4}[./-]\d)"
)
#: A name standing alone beside the date: "Jane Doe • May 2, 2025", "Jane Doe | Senior
#: Writer | May 2", "Jane Doe • Last updated:", "Jane Doe (Content Manager) •",
#: "Jane Doe • Tech Writer", "May 2, 2025 • Jane Doe in Marketing •".
_NAME_WORDS = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,3}}"
_NAME_THEN_DATE = re.compile(
    rf"(?:^|[•|]\s*)(?P<name>{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,3}})\s*"
    r"(?:\([^()]{2,40}\)\s*)?"
    r"(?:[•|,]\s*(?:[^•|\d]{2,40}\s*[•|]\s*)?|\s+in\s+[^•|\d]{2,30}[•|]\s*)"
    rf"(?:(?:published|updated|last updated|posted)\b|{_MONTH_OR_NUMERIC}|"
    rf"(?:[\w-]+\s+){{0,2}}{_ROLE_WORDS}\b[^•|]{{0,20}}(?:[•|]|$))"
    # "December 18, 2025 • by Jane Doe •", "Dec 26, 2025 • Jane Doe in Marketing"
    rf"|{_MONTH_OR_NUMERIC}[a-z]*\.?[^•|·]{{0,12}}(?:[•|·]\s*)+"
    rf"(?:by\s+(?P<name2>{_WORD}(?:\s+{_WORD}){{0,3}})\s*[•|]|(?P<name3>(?-i:{_NAME_WORDS}))\s+in\s)"
    # "Dec 17, 2025 • Jane Doe •" (a long month name here is more often a title's)
    rf"|{_MONTH_OR_NUMERIC}[^•|·]{{0,12}}(?:[•|·]\s*)+(?P<name4>(?-i:{_NAME_WORDS}))\s*[•|]",
    re.IGNORECASE,
)
_NOT_NAME_WORDS = _words(
    "home blog news menu table contents share read more about contact posts search "
    "login subscribe the of and for to in on with how what why best guide tips top "
    "all articles article insights insight resource resources center centre press "
    "release alert alerts demo join book category categories products product "
    "services service hacks issues liability campaign cloud workspaces available "
    "publicly business designer waste"
)


#: A text that is only a name: "Ann Lee", "Jean-Luc de la Tour" (bylines.py reads it).
PERSON = re.compile(rf"^{_NAME}$")


def without_dates(text: str) -> str:
    """A byline's text without the date before or after its names."""
    return _DATE_TAIL.sub("", _GLUED.sub(" ", _LEADING_DATE.sub("", text)))


_CAPITALISED = re.compile(r"[^\W\d_][^\W\d_'’-]+")


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().casefold()


def site_owner(
    host: str, site_names: tuple[str, ...], named: list[str], orgs: frozenset[str] = frozenset()
) -> list[str]:
    """The person a one-person site is named for, where JSON-LD or meta name that person as
    the author and the site name is theirs too ("Sam Bossley" on sam.bossley.com, "Cory
    Dransfeldt" on coryd.dev): kept when two or three capitalised words that the host
    spells. (The site's name alone is not enough: "Paper Trails" on papertrails.com is a
    business, and nothing but a list of given names tells them apart.)"""
    labels = [_fold(label) for label in host.lower().removeprefix("www.").split(".")[:-1]]
    sites = {normalize_space(s).casefold() for s in site_names if s}
    for raw in named:
        name = clean_person(raw)
        if not name or name.casefold() not in sites or name.casefold() in orgs:
            continue
        words = name.split()
        if not 2 <= len(words) <= 3 or not all(
            w[0].isupper() and not w.isupper() and _CAPITALISED.fullmatch(w) for w in words
        ):
            continue
        if _ORG_WORDS & {w.casefold() for w in words}:
            continue
        first, last = _fold(words[0]), _fold(words[-1])
        spelled = {first + last, first + last[0], first[0] + last, first, last}
        if any(label in spelled for label in labels if len(label) >= 3):
            return [name]
    return []


def organisation_names(objs: list[dict[str, Any]]) -> frozenset[str]:
    """Every name the page's JSON-LD gives an Organization, folded."""
    return frozenset(
        normalize_space(o["name"]).casefold()
        for o in objs
        if isinstance(o.get("name"), str) and jsonld.types_of(o) & _ORG_TYPES
    )
