"""Every site- and theme-specific pattern of the extractor, in one place, precompiled.

Patterns are matched against the ``class`` and ``id`` attributes of an element
(joined by a space) unless said otherwise.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from lxml.etree import XPath

from pipelines.extraction.pagescan import xpath_space_len_below

# --- main content ---------------------------------------------------------------------

#: Containers that themes and CMSs use for the article body, best first: each XPath
#: with the strings one of which a class, id or itemprop value must hold for it to
#: select anything (body.py evaluates only those whose strings occur on the page).
_CONTENT_CLASSES = (
    "article-body",
    "article__body",
    "articleBody",
    "story-body",
    "article-content",
    "post-body",
    "entry-body",
    "story-content",
    "article-text",
    "body-text",
    "post-entry",
    "single-content",
    "article__content",
    "c-entry-content",
    "rich-text",
    "blog-post-body",
)
_CONTENT_IDS = ("article-body", "articleBody", "story-body", "content-body", "post-body")


def _class_token(name: str) -> str:
    """XPath: the element's class list holds the token ``name``."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def _with_class_token(*names: str) -> str:
    """The elements whose class list holds one of ``names``: the attributes that contain
    one are found first, then their elements tested, not every element of the page
    (a quarter of the cost or less; the same elements in the same order, issue 15)."""
    holds = " or ".join(f'contains(., "{name}")' for name in names)
    tokens = " or ".join(_class_token(name) for name in names)
    return f"//@class[{holds}]/parent::*[{tokens}]"


CONTENT_XPATHS: list[tuple[tuple[str, ...], XPath]] = [
    (needles, XPath(x))
    for needles, x in (
        (("articleBody",), '//@itemprop[. = "articleBody"]/parent::*'),
        (("entry-content",), _with_class_token("entry-content")),
        (("post-content",), _with_class_token("post-content")),
        (("td-post-content",), _with_class_token("td-post-content")),
        (
            ("jeg_post_content", "content-inner"),
            _with_class_token("jeg_post_content", "content-inner"),
        ),
        (
            _CONTENT_CLASSES,
            "//@class[" + " or ".join(f'contains(., "{c}")' for c in _CONTENT_CLASSES) + "]"
            "/parent::*",
        ),
        (
            (*_CONTENT_IDS, "entry-content"),
            "//@id["
            + " or ".join(f'. = "{i}"' for i in (*_CONTENT_IDS, "entry-content"))
            + "]/parent::*",
        ),
    )
]
#: The class, id and itemprop values of a page, which CONTENT_XPATHS' strings are sought in.
NAME_VALUES = XPath("//@class | //@id | //@itemprop", smart_strings=False)

#: Elements dropped with everything in them before the body is walked.
DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "nav",
        "footer",
        "aside",
        "button",
        "select",
        "input",
        "textarea",
        "label",
        "menu",
        "dialog",
        "object",
        "embed",
        "map",
        "area",
        "link",
        "meta",
        "head",
        "title",
        "math",
        "amp-ad",
        "amp-analytics",
        "amp-sticky-ad",
        "amp-consent",
        "amp-sidebar",
        "amp-social-share",
        "amp-pixel",
    ]
)

#: Elements that are one block of text at most; never a wrapper to descend into.
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
LIST_TAGS = frozenset(("ul", "ol", "dl"))
INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "br",
        "img",
        "picture",
        "source",
        "amp-img",
    ]
)

#: Words that mark boilerplate wherever they sit in a class/id ("td-post-sharing-top").
_STRONG_WORDS = (
    r"share|shares|sharing|sharedaddy|social|sociable|addtoany|a2a|shareaholic|sharethis|"
    r"heateor|essb|ssba|swp|mashsb|related|relatedposts|yarpp|crp|rp4wp|taboola|outbrain|"
    r"newsletter|newsletters|subscribe|subscription|signup|mailchimp|mc4wp|optin|paywall|"
    r"advert|adverts|advertisement|advertising|adsense|adslot|adunit|adthrive|mediavine|"
    r"ezoic|dfp|sponsored|sponsor|comment|comments|commentlist|disqus|breadcrumb|"
    r"breadcrumbs|cookie|cookies|consent|gdpr|sidebar|authorbox|saboxplugin|popup|"
    r"recommended|recommendations|trending|readmore|morestories|gallery|resgallery|"
    r"slideshow|carousel|lightbox|rollover|tooltip|popover|hovercard"
)
#: Words that mark boilerplate when a class/id token starts with them ("nav-menu", "ad-box").
_WEAK_WORDS = (
    r"ad|ads|adv|nav|navbar|navigation|menu|masthead|footer|site-header|widget|"
    r"widgets|pagination|post-navigation|nav-links|tags|tag-links|post-tags|entry-tags|"
    r"categories|cat-links|entry-meta|post-meta|byline|dateline|toolbar|hidden|"
    r"screen-reader-text|visually-hidden|sr-only|skip-link|modal|overlay|login|signin|"
    r"author-box|author-bio|about-author|author-info|author-card|post-author|entry-author|"
    r"promo|banner|billboard|leaderboard|skyscraper|mpu|gpt|google-ad|respond|"
    r"wp-block-buttons|post-footer|entry-footer|article-footer|top-stories|more-from|"
    r"more-stories|see-also|also-read|you-may|read-more|most-read|most-popular|popular|"
    r"next-article|prev-article|previous-article|print|td-a-rec|td-category|jeg_share|"
    r"jp-relatedposts|sign-up|subscribe|follow|social|page-links|post-page-numbers|author|"
    r"autor|authors|credits?"
)
BOILERPLATE_STRONG = re.compile(rf"(?:^|[\s_-])(?:{_STRONG_WORDS})(?:$|[\s_-])", re.IGNORECASE)
BOILERPLATE_WEAK = re.compile(rf"(?:^|\s)(?:{_WEAK_WORDS})(?:$|[\s_-])", re.IGNORECASE)

# The two patterns above as set lookups (issue 15: cost). A regex alternation of ~90
# words tries every word at every position: ~20-35 us for the long class lists of
# utility-CSS themes, and chrome tests run on every element the walk meets. The words
# hold no separator, so a match of BOILERPLATE_STRONG is exactly a token, between
# separators (whitespace, "_", "-"), equal to a word; one of BOILERPLATE_WEAK is a
# whitespace-separated token that starts with a word followed by its end, "_" or "-".
# tests/test_extract_selectors.py checks both against the patterns.
_STRONG_SET = frozenset(_STRONG_WORDS.split("|"))
_WEAK_SET = frozenset(
    w
    for word in _WEAK_WORDS.split("|")
    for w in ([word[:-1], word[:-2]] if word.endswith("s?") else [word])
)
_SEPARATORS = re.compile(r"[\s_-]+")
_TOKEN_BREAK = re.compile(r"[_-]")


def strong_word(names: str) -> bool:
    """``bool(BOILERPLATE_STRONG.search(names))``, by set lookups."""
    return any(token in _STRONG_SET for token in _SEPARATORS.split(names.lower()))


def weak_word_start(token: str) -> bool:
    """``bool(BOILERPLATE_WEAK.match(token))`` for one whitespace-free token."""
    token = token.lower()
    if token in _WEAK_SET:
        return True
    return any(token[: m.start()] in _WEAK_SET for m in _TOKEN_BREAK.finditer(token))


def weak_word(names: str) -> bool:
    """``bool(BOILERPLATE_WEAK.search(names))``, by set lookups."""
    return any(weak_word_start(token) for token in names.split())


#: CamelCase component names ("PromoSmall-title", "RelatedArticles", "ShareBar").
BOILERPLATE_CAMEL = re.compile(
    r"(?:^|\s)(?:Promo|Related|Share|Social|Newsletter|Recommended|Trending|Comments?|"
    r"AuthorBio|Breadcrumbs?|Ad|Ads|Advert|Sponsored|Outbrain|Taboola)(?=[A-Z_-]|\s|$)"
)
#: Tokens that contain a boilerplate word but only describe state or layout.
NEUTRAL_TOKEN = re.compile(
    r"^(?:(?:has|with|no|is|wp-block|status|format|tag|category|page-template|single|postid|"
    r"td-pb|elementor|col|d|text|align|overflow|hidden-\w+|visible)[-_]|"
    # layouts named for the sidebar beside the content: "sidebar-content", "content-sidebar"
    r"(?:sidebar[-_](?:content|layout|wrap|main|primary|enabled|disabled)|"
    r"(?:content|main)[-_]sidebar)(?:$|[-_]))",
    re.IGNORECASE,
)
#: Classes that name the article body; an element carrying one is never boilerplate.
CONTENT_CLASS = re.compile(
    r"(?:^|\s)(?:entry-content|post-content|article-body|article__body|articlebody|"
    r"story-body|article-content|post-body|td-post-content|jeg_post_content|content-inner|"
    r"c-entry-content|single-content|entry-body|story-content|article-text)(?:$|\s)",
    re.IGNORECASE,
)

#: Roles that mark page chrome.
BOILERPLATE_ROLES = frozenset(
    ("navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert")
)

#: Paragraph texts that are page chrome even inside the body.
BOILERPLATE_TEXT = re.compile(
    r"^(?:advertisement|advertisements|sponsored|ad|story continues below(?: advertisement)?|"
    r"continue reading(?: below)?|scroll to continue|read more|see more|image \d+ of \d+|"
    r"photo \d+ of \d+|\d+ of \d+|"
    r"(?:share|tweet|email|print|pin)(?: this| on \w+)?|"
    r"\((?:reporting|writing|editing|additional reporting) by [^)]*\)|"
    r"click here to (?:subscribe|sign up).*|sign up for (?:our|the) .*newsletter.*|"
    r"related(?: articles| posts| stories)?:?|you may also like:?|recommended(?: for you)?:?|"
    r"(?:this (?:site|website) uses|we use) cookies\b.{0,40}"
    r"(?:experience|consent|agree|accept|policy|settings).{0,60})$",
    re.IGNORECASE,
)

#: Sign-up and follow-us calls inside the body (short paragraphs only).
CALL_TO_ACTION = re.compile(
    r"\b(?:sign up|subscribe)\b.{0,80}\bnewsletters?\b|"
    r"\bnewsletters?\b.{0,60}\b(?:sign up|subscribe)|"
    r"^follow (?:us|@\w+|\w+(?: \w+)?) on (?:twitter|facebook|instagram)|"
    r"\b(?:posted|published|publicado|publié|veröffentlicht|pubblicato)\s+(?:by|por|par|von|da)\b",
    re.IGNORECASE,
)
_CALL_TO_ACTION_VERBS = (
    "posted",
    "published",
    "publicado",
    "publié",
    "veröffentlicht",
    "pubblicato",
)


def call_to_action(text: str) -> bool:
    """``bool(CALL_TO_ACTION.search(text))``; the pattern runs only on text holding one of
    the words every match holds (its ~30 us a paragraph was the walk's costliest test)."""
    low = text.lower()
    if not (
        "newsletter" in low
        or low.startswith("follow")
        or any(verb in low for verb in _CALL_TO_ACTION_VERBS)
    ):
        return False
    return CALL_TO_ACTION.search(text) is not None


#: Short paragraphs that only carry a date ("Updated at 1:23 p.m.").
DATELINE_TEXT = re.compile(
    r"^(?:updated|published|posted|last updated|last modified|modified|first published)\b",
    re.IGNORECASE,
)

#: "Read more: <link>" style teaser paragraphs that point elsewhere.
TEASER_PREFIX = re.compile(
    r"^(?:read more|read also|also read|see also|related|more|recommended|"
    r"read next|watch|watch more|listen|must read|don't miss|trending)\s*[:>»–—-]",
    re.IGNORECASE,
)

# --- embeds ---------------------------------------------------------------------------

EMBED_CLASS = re.compile(
    r"twitter-tweet|instagram-media|tiktok-embed|wp-block-embed|fb-post|embed-youtube|"
    r"video-container|youtube-player",
    re.IGNORECASE,
)
_EMBED_WORDS = tuple(EMBED_CLASS.pattern.split("|"))


def embed_class(names: str) -> bool:
    """``bool(EMBED_CLASS.search(names))``: its alternatives are plain words."""
    low = names.lower()
    return any(word in low for word in _EMBED_WORDS)


# --- related posts --------------------------------------------------------------------

#: Containers of related-post blocks (class or id).
RELATED_BLOCK = re.compile(
    r"(?:^|[\s_-])(?:jp-relatedposts|yarpp(?:-related)?|yarpp-thumbnails\w*|related-?posts?|"
    r"related_posts|td-related\w*|crp_related|rp4wp\w*|related-?articles?|related-?stories|"
    r"related-?content|relatedposts|more-?stories|jeg_postblock[\w-]*related|"
    r"you-?may-?(?:also-?)?like|recommended-?posts|post-?related|single-?related|"
    r"read-?more-?posts|more-?from)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Headings that open a related-post block.
RELATED_HEADING = re.compile(
    r"^(?:related(?: posts?| articles?| stories| news| content| reads)?|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|read more|read next|"
    r"more (?:from|on|in|like this|stories|articles|news)\b.*|"
    r"recommended(?: for you| posts?| stories| reading)?|"
    r"also read|see also|more to explore|what to read next|"
    r"voc[eê] (?:pode|tamb[eé]m pode) gostar|leia tamb[eé]m|veja tamb[eé]m|"
    r"(?:[aà] )?lire aussi|sur le m[eê]me sujet|lesen sie auch|mehr zum thema|"
    r"(?:tambi[eé]n )?te puede interesar|lee tambi[eé]n|ver tambi[eé]n|"
    r"potrebbe interessarti|leggi anche|articoli correlati|artigos relacionados|"
    r"posts relacionados|art[ií]culos relacionados|articles similaires)\s*:?$",
    re.IGNORECASE,
)
#: Links inside a related block that are not entries (taxonomy, authors, share, comments).
RELATED_SKIP_HREF = re.compile(
    r"/(?:tag|tags|category|categories|author|topics?|section)/|[?&](?:share|replytocom)=|"
    r"#(?:comments?|respond)|^(?:mailto|javascript|tel|whatsapp|sms):|"
    r"(?:facebook|twitter|x|pinterest|linkedin|reddit|whatsapp)\.com/(?:sharer|intent|share|pin)",
    re.IGNORECASE,
)
#: Where related links must not be looked for.
RELATED_EXCLUDED_ANCESTOR = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|navbar|navigation|comments?|comment-list|commentlist|"
    r"breadcrumbs?|share\w*|sharedaddy|widget_nav_menu)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Teaser containers inside a related card.
TEASER_CLASS = re.compile(
    r"excerpt|summary|teaser|desc|snippet|dek|intro|entry-content", re.IGNORECASE
)
#: Date/category/meta bits inside a card that are not the teaser.
CARD_META_CLASS = re.compile(
    r"date|time|meta|cat|author|byline|comment|views|read-?time|label|badge|tag",
    re.IGNORECASE,
)

# --- next page ------------------------------------------------------------------------

PAGE_LINKS_CLASS = re.compile(
    r"(?:^|\s)(?:page-links|post-page-numbers|pagination|"
    r"wp-pagenavi|multipage|article-pagination|pager)(?:\s|$)",
    re.IGNORECASE,
)
NEXT_TEXT = re.compile(
    r"^(?:next(?: page)?|continue(?: reading)?(?: on)? (?:next )?page|"
    r"next ?[»›>→]+|[»›>→]|page suivante|nächste seite|siguiente)\s*[»›>→]*$",
    re.IGNORECASE,
)
PREV_TEXT = re.compile(
    r"^[«‹<←]*\s*(?:prev(?:ious)?(?: page)?|[«‹<←]|page précédente|vorherige seite|anterior)"
    r"\s*[«‹<←]*$",
    re.IGNORECASE,
)
POST_NAVIGATION = re.compile(
    r"post-navigation|nav-links|nav-next|nav-previous|navigation|"
    r"prev-next|next-post|previous-post|post-nav",
    re.IGNORECASE,
)

# --- metadata -------------------------------------------------------------------------

#: Ancestors' class or id names that put an author box or byline element away from the
#: article (comments, related posts, sidebars, reviews, navigation): not its author.
AWAY_FROM_ARTICLE = re.compile(
    r"comment|related|recommend|sidebar|respond|reply|testimonial|review-list|"
    r"(?:^|[\s_-])(?:nav|menu|footer)(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Classes that name the byline's name itself, by theme family: WordPress themes
#: ("author-name", "posted-by"), BEM ("byline__name"), Newspaper ("author_name"), JNews
#: ("jeg_meta_author"), and a bare "byline" class (pipelines/extraction/bylines.py).
BYLINE_NAME_CLASS = re.compile(
    r"author-name|byline__name|author_name|jeg_meta_author|posted-by|(?:^|\s)byline(?:$|\s)"
)
DATELINE_XPATH = XPath(
    # "entry-date", "post-date", "dateline", "td-post-date", "jeg_meta_date" and
    # "article-date" all contain "date": the class attributes are tested, then their
    # elements taken, not every element tested (issue 15: cost; same elements, same order)
    '//@class[contains(., "posted-on") or contains(., "published") or contains(., "date")]'
    "/parent::*[not(self::script)]"
)
URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|$|[-_])"
)
URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")

# --- body heuristics (used by body.py) ---------------------------------------------------

HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
POSITIVE = re.compile(r"article|body|content|entry|main|post|story|text|blog", re.IGNORECASE)
_POSITIVE_WORDS = tuple(POSITIVE.pattern.split("|"))


def positive(names: str) -> bool:
    """``bool(POSITIVE.search(names))``: its alternatives are plain words."""
    low = names.lower()
    return any(word in low for word in _POSITIVE_WORDS)


LAYOUT = re.compile(
    r"(?:^|[\s_-])(?:row|container|col|grid|wrapper|wrap|span\d*|layout|flex)(?:$|[\s_-])",
    re.IGNORECASE,
)
CAPTION_WORD = re.compile(r"caption|credit", re.IGNORECASE)
PHOTO_CREDIT = re.compile(
    r"^(?:photo|photograph|image|picture|foto|credit)s?\s*(?:by|:|©)|©", re.IGNORECASE
)
_PHOTO_CREDIT_STARTS = ("photo", "image", "picture", "foto", "credit")


def photo_credit(text: str) -> bool:
    """``bool(PHOTO_CREDIT.search(text))``, the pattern run only where it can match."""
    if "©" not in text and not text[:7].lower().startswith(_PHOTO_CREDIT_STARTS):
        return False
    return PHOTO_CREDIT.search(text) is not None


DATE_ONLY = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s+)?(?:\w{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w{3,9}\.?\s+\d{4}|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})[\s,|/at-]*(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*\w{0,4})?$",
    re.IGNORECASE,
)
BYLINE_TEXT = re.compile(
    r"^(?:[Bb]y|[Vv]on|[Pp]ar|[Pp]or)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*$"
)
END_PUNCT = re.compile(r"[.!?;,…][\"”’')\]]*$")
CAPTION_CLASS = re.compile(
    r"(?:^|[\s_-])(?:wp-caption|caption|image|photo|figure|media)(?:$|[\s_-])", re.IGNORECASE
)
_CAPTION_SET = frozenset(("caption", "image", "photo", "figure", "media"))


def caption_class(names: str) -> bool:
    """``bool(CAPTION_CLASS.search(names))``: a token between separators that is one of
    its words ("wp-caption" is "wp" and "caption")."""
    return any(token in _CAPTION_SET for token in _SEPARATORS.split(names.lower()))


# --- related-post and next-page lookups (used by related.py) ---------------------------

WITH_NAMES = XPath("//*[@class or @id]")
#: Every class and id value, in document order (``value.getparent()`` is its element):
#: where a cheap test on the value can rule out most elements before any is made (#7).
CLASS_AND_ID = XPath("//@class | //@id")
#: Anchors that may be a next or previous page link (checked with NEXT_TEXT / PREV_TEXT).
NAV_ANCHORS = XPath(
    "//a[@href][contains(@rel, 'next') or contains(@rel, 'prev')"
    " or string-length(normalize-space(.)) < 40 and ("
    "contains(translate(., 'NEXTCONUIGÂSÄ', 'nextconuigâsä'), 'next') or contains(., '»')"
    " or contains(., '›') or contains(., '→') or contains(., '>')"
    " or contains(translate(., 'CONTINUE', 'continue'), 'continue')"
    " or contains(., 'suivante') or contains(., 'chste') or contains(., 'siguiente')"
    " or contains(translate(., 'PREVIOUS', 'previous'), 'prev') or contains(., '«')"
    " or contains(., '‹') or contains(., '←') or contains(., '<') or contains(., 'précédente')"
    " or contains(., 'vorherige') or contains(., 'anterior'))]"
)
#: NAV_ANCHORS' text tests, for :func:`nav_anchors`: the words it looks for in a link's
#: text translated to lower case (where only ASCII letters map to their letters, so
#: ``str.lower`` finds whatever it finds), and the strings it looks for as they are.
_NAV_WORDS = ("next", "continue", "prev")
_NAV_STRINGS = (
    *("»", "›", "→", ">", "suivante", "chste", "siguiente"),
    *("«", "‹", "←", "<", "précédente", "vorherige", "anterior"),
)
#: The text of every link, and the links NAV_ANCHORS takes for their ``rel`` alone.
_LINK_TEXTS = XPath("//a[@href]//text()", smart_strings=False)
_REL_NAV_ANCHORS = XPath("//a[@href][contains(@rel, 'next') or contains(@rel, 'prev')]")


def nav_anchors(root: Any, anchors: list[Any] | None = None) -> list[Any]:
    """``NAV_ANCHORS(root)``, at a fifth of the cost on the many pages where no link text
    holds any of its words or arrows (issue 7): NAV_ANCHORS converts every link to a
    string up to 17 times. One link's text is a contiguous run of all the links' text
    nodes in document order, so when their concatenation holds none of the needles, no
    link's text does, and only the ``rel`` test can select a link. ``anchors``: the
    page's ``<a href>`` elements in document order (``PageScan.anchors``), which the same
    predicate is then tested on in Python, each text made once (issue 15)."""
    text = "".join(_LINK_TEXTS(root))
    lowered = text.lower()
    if any(word in lowered for word in _NAV_WORDS) or any(s in text for s in _NAV_STRINGS):
        if anchors is None:
            return list(NAV_ANCHORS(root))
        return [a for a in anchors if _nav_anchor(a)]
    return list(_REL_NAV_ANCHORS(root))


_NAV_NEXT_CASE = str.maketrans("NEXTCONUIGÂSÄ", "nextconuigâsä")
_NAV_CONTINUE_CASE = str.maketrans("CONTINUE", "continue")
_NAV_PREVIOUS_CASE = str.maketrans("PREVIOUS", "previous")
_NAV_TEXT_STRINGS = (
    *("»", "›", "→", ">", "suivante", "chste", "siguiente"),
    *("«", "‹", "←", "<", "précédente", "vorherige", "anterior"),
)


def _nav_anchor(a: Any) -> bool:
    """NAV_ANCHORS' predicate on one ``<a href>``, as its XPath tests it."""
    rel = a.get("rel")
    if rel and ("next" in rel or "prev" in rel):
        return True
    text = a.text_content()
    if not xpath_space_len_below(text, 40):
        return False
    return (
        "next" in text.translate(_NAV_NEXT_CASE)
        or "continue" in text.translate(_NAV_CONTINUE_CASE)
        or "prev" in text.translate(_NAV_PREVIOUS_CASE)
        or any(s in text for s in _NAV_TEXT_STRINGS)
    )


#: h2-h6, and div/span/p/header elements whose class says title/heading/header, when short.
#: The class test runs on the ``class`` attributes (``//@class[...]/parent::*``), about half
#: the cost of testing every element's (issue 7); same elements, same (document) order.
HEADING_LIKE = XPath(
    "(//h2 | //h3 | //h4 | //h5 | //h6"
    ' | //@class[contains(., "title") or contains(., "heading") or contains(., "header")]'
    "/parent::*[self::div or self::span or self::p or self::header])"
    "[string-length(normalize-space(.)) < 60]"
)
TITLE_CLASS = re.compile(r"title|headline|heading|name", re.IGNORECASE)


# The card tests of a related-posts block run on every element of every card, and a
# page's cards repeat the same few class strings: each answer is kept (issue 18: a grid
# of 18 cards spent ~0.25 ms a page in these searches).
@functools.lru_cache(maxsize=4096)
def title_class(names: str) -> bool:
    """``TITLE_CLASS.search(names)``: a card's title element."""
    return TITLE_CLASS.search(names) is not None


@functools.lru_cache(maxsize=4096)
def teaser_class(names: str) -> bool:
    """``TEASER_CLASS.search(names)``: a card's teaser text."""
    return TEASER_CLASS.search(names) is not None


@functools.lru_cache(maxsize=4096)
def card_meta_class(names: str) -> bool:
    """``CARD_META_CLASS.search(names)``: a card's date, category or other meta bits."""
    return CARD_META_CLASS.search(names) is not None


#: Inline teaser paragraphs with a link ("Read more: <a>...</a>"), prefiltered in C.
TEASER_PARAGRAPHS = XPath(
    "//p[.//a[@href]][string-length(normalize-space(.)) < 300]"
    "[starts-with(translate(normalize-space(.), 'ADEHLMNORST', 'adehlmnorst'), 'read')"
    " or starts-with(translate(normalize-space(.), 'ADEHLMNORST', 'adehlmnorst'), 'related')"
    " or starts-with(translate(normalize-space(.), 'ADEHLMNORST', 'adehlmnorst'), 'see also')"
    " or starts-with(translate(normalize-space(.), 'ADEHLMNORST', 'adehlmnorst'), 'also read')"
    " or starts-with(translate(normalize-space(.), 'ADEHLMNORST', 'adehlmnorst'), 'more:')]"
)
#: Pagination containers, prefiltered in C ("page-links", "pagination", "pager", ...): the
#: elements (not links) whose class contains pag/Pag/multipage or whose id contains pag.
#: Tested on the attributes rather than on every element: half the cost (issue 7).
PAGE_LINK_CANDIDATES = XPath(
    "(//@class[contains(., 'pag') or contains(., 'Pag') or contains(., 'multipage')]"
    " | //@id[contains(., 'pag')])/parent::*[not(self::a)]"
)

#: Where author names are not the article's byline.
NOT_BYLINE_ANCESTOR = re.compile(
    r"comment|related|author-?box|about-?author|author-?bio|authorbio|saboxplugin|widget|"
    r"sidebar|footer|respond",
    re.IGNORECASE,
)
