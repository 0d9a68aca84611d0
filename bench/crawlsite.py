"""Generate the crawl benchmark's site: N article pages in the demo's viral theme.

Each page is the demo seed page with its title, body and "Related Posts" grid
replaced, an inline config script added, and the furniture of a real news page around
the article (bench/crawlchrome.py: menus, widgets, a "More stories" grid, footer
columns): about 66 KB of HTML, ~640 elements and ~140 links, and six related cards
linking to the next six pages (so one seed reaches them all). The article text
is drawn word by word from the demo articles' own text, each word as often as those
articles use it (a unigram model: "the", "a", "and" lead, as in any English text;
drawn uniformly from a word list, the text read as no language, which no real page
does, and sent every page to the language model), and its length follows real news pages:
the articles of ../shared/extraction-dev have a median of 529 words, a mean of 833 and
a 90th percentile of 1,921, which a log-normal with median 530 and sigma 0.95 matches
(mean 830, p90 1,790). Until issue 7's second session every page had 9 to 13
paragraphs, about 1,170 words, which is the 80th percentile of real pages: shorter
pages are the common case. Deterministic for a given seed.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import crawlchrome

from crawler.demo.server import DEMO_SEED_PATH, demo_site_root

_CONTENT = re.compile(
    r'(<div class="entry-content">)(.*?)(\n\s*</div>\n\s*<footer class="entry-footer">)', re.S
)
_GRID = re.compile(r'(<div class="related-posts-grid">)(.*?)(</div>\n\s*</section>)', re.S)
_MENU = re.compile(r'(<ul id="primary-menu" class="menu">)(.*?)(</ul>\n\s*</nav>)', re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_H1 = re.compile(r'<h1 class="entry-title">.*?</h1>', re.S)
_CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*">')
_WORD = re.compile(r"[A-Za-z][a-z']*")
_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")

SEED_TITLE = "Prison Scandal: Female Officers Busted in Secret Inmate Romances…"
SEED_SLUG = DEMO_SEED_PATH.strip("/")

CARD = """        <article class="related-post related-post-{n}">
          <a class="related-post-thumb" href="{href}" title="{title}">
            <img src="/wp-content/uploads/2025/06/p{target_number}.jpg" alt="{title}" width="300"
              height="200" loading="lazy">
          </a>
          <h4 class="related-post-title"><a href="{href}" title="{title}">{cut}</a></h4>
          <p class="related-post-excerpt">{teaser}…</p>
        </article>
"""


# Article length in words, fitted to ../shared/extraction-dev's ground truth (see above).
BODY_WORDS_MEDIAN = 530
BODY_WORDS_SIGMA = 0.95
BODY_WORDS_RANGE = (120, 6000)


def page_path(i: int) -> str:
    number = crawlchrome.number(i)
    return f"/story/{number}-a-viral-story-about-number-{number}/"


class Vocabulary:
    """The words of the demo articles' paragraphs, with how often each occurs."""

    def __init__(self) -> None:
        counts: Counter[str] = Counter()
        for page in sorted(demo_site_root().rglob("index.html")):
            match = _CONTENT.search(page.read_text(encoding="utf-8"))
            if match is None:  # a hub or an error page: no article text
                continue
            for paragraph in _PARAGRAPH.findall(match.group(2)):
                text = html.unescape(_TAG.sub(" ", paragraph))
                counts.update(word.lower() for word in _WORD.findall(text))
        if not counts:
            raise ValueError("the demo site has no article paragraphs to draw words from")
        self.words = sorted(counts)
        self.cum_weights = list(itertools.accumulate(counts[word] for word in self.words))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        """``count`` words, each as often as the demo articles use it."""
        return rng.choices(self.words, cum_weights=self.cum_weights, k=count)


def _vocabulary() -> Vocabulary:
    return Vocabulary()


def _sentence(rng: random.Random, vocab: Vocabulary) -> str:
    return " ".join(vocab.draw(rng, rng.randint(8, 22))).capitalize() + "."


def _title(rng: random.Random, vocab: Vocabulary) -> str:
    """Title words are drawn from the distinct words: a headline is mostly content words."""
    return " ".join(rng.choice(vocab.words).capitalize() for _ in range(rng.randint(6, 11)))


def _body_words(rng: random.Random) -> int:
    """An article length drawn from the real pages' distribution (log-normal, clipped)."""
    words = round(rng.lognormvariate(math.log(BODY_WORDS_MEDIAN), BODY_WORDS_SIGMA))
    return min(max(words, BODY_WORDS_RANGE[0]), BODY_WORDS_RANGE[1])


def _paragraphs(rng: random.Random, vocab: Vocabulary) -> list[str]:
    """Paragraphs of 5 to 9 sentences, with an occasional subhead, until the drawn length."""
    target, written, out = _body_words(rng), 0, []
    while written < target:
        sentences = [_sentence(rng, vocab) for _ in range(rng.randint(5, 9))]
        text = " ".join(sentences)
        written += len(text.split())
        out.append(f"        <p>{html.escape(text)}</p>")
        if rng.random() < 0.12:
            out.append(f"        <h2>{html.escape(_title(rng, vocab))}</h2>")
    return out


def _furnish(
    page: str, index: int, titles: list[str], paths: list[str], teaser: Callable[[], str]
) -> str:
    """The page with the furniture of a real news page around its article (crawlchrome)."""
    page = _splice(page, _MENU, crawlchrome.mega_menu())
    main = '<main id="main" class="site-main">\n'
    page = _insert(page, main, crawlchrome.breadcrumb(titles[index]))
    stories = crawlchrome.more_stories(index, titles, paths, teaser)
    page = _insert(page, "", stories, before='      <div id="comments"')
    widgets = crawlchrome.sidebar_widgets(index, titles, paths)
    page = _insert(page, "", widgets, before="    </aside>")
    footer = '<footer id="colophon" class="site-footer">\n'
    return _insert(page, footer, crawlchrome.footer_columns())


def _insert(page: str, after: str, text: str, before: str | None = None) -> str:
    """``text`` put right after the first ``after`` (or right before the first ``before``)."""
    mark = before if before is not None else after
    at = page.find(mark)
    if at < 0:
        raise ValueError(f"the demo template no longer has {mark!r}")
    at += 0 if before is not None else len(mark)
    return page[:at] + text + page[at:]


def _splice(page: str, pattern: re.Pattern[str], inner: str) -> str:
    """Replace the middle group of ``pattern``'s first match with ``inner``."""
    match = pattern.search(page)
    if match is None:
        raise ValueError(f"the demo template no longer matches {pattern.pattern[:40]!r}")
    return page[: match.end(1)] + inner + page[match.start(3) :]


def generate(root: Path, pages: int = 5000, seed: int = 7) -> list[str]:
    """Write ``pages`` article pages under ``root``; return their paths (the first is the seed)."""
    paths = []
    for path, page in iter_pages(pages, seed):
        out = root / path.strip("/") / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
        paths.append(path)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wp-admin/\n", encoding="utf-8")
    return paths


def iter_pages(pages: int = 5000, seed: int = 7) -> Iterator[tuple[str, str]]:
    """``(path, html)`` of each of ``pages`` article pages, one at a time (the first is the
    seed); what :func:`generate` writes, for a caller that keeps them elsewhere."""
    template = (demo_site_root() / DEMO_SEED_PATH.strip("/") / "index.html").read_text("utf-8")
    vocab = _vocabulary()
    rng = random.Random(seed)
    titles = [_title(rng, vocab) for _ in range(pages)]
    paths = [page_path(i) for i in range(pages)]
    for i in range(pages):
        paragraphs = _paragraphs(rng, vocab)
        cards = []
        for n in range(1, 7):
            target = (i + n) % pages
            title = titles[target]
            cut = title if n % 2 else title[:28] + "…See More"
            cards.append(
                CARD.format(
                    n=n,
                    href=paths[target] + "?utm_source=related",
                    title=html.escape(title),
                    cut=html.escape(cut),
                    target_number=crawlchrome.number(target),
                    teaser=html.escape(_sentence(rng, vocab)),
                )
            )
        # Real pages carry large inline scripts (ad, analytics and theme config): ~18 KB here,
        # which keeps the median page at ~46 KB, as before the article lengths were fitted.
        config = {f"slot_{n}": _sentence(rng, vocab) for n in range(215)}
        script = f"<script>window.__THEME_CONFIG__ = {json.dumps(config)};</script>\n"
        page = template.replace("</head>", script + "</head>", 1)
        page = _splice(page, _CONTENT, "\n" + "\n".join(paragraphs))
        page = _splice(page, _GRID, "\n" + "".join(cards) + "        ")
        title = html.escape(titles[i])
        # the seed's title and slug also sit in og:/JSON-LD metadata and share links
        page = page.replace(SEED_TITLE, title).replace(SEED_SLUG, paths[i].strip("/"))
        page = _TITLE.sub(f"<title>{title} | The Daily Buzz</title>", page, count=1)
        page = _H1.sub(f'<h1 class="entry-title">{title}</h1>', page, count=1)
        page = _CANONICAL.sub(f'<link rel="canonical" href="{paths[i]}">', page, count=1)
        yield paths[i], _furnish(page, i, titles, paths, lambda: _sentence(rng, vocab))
