# ruff: noqa: E501 - pinned texts are whole paragraphs
"""Extraction across site themes written for this project: tagDiv- and JNews-style WordPress
news themes (the latter with Jetpack related posts), a JSON-LD news site, an AMP page, a three-page article and a windows-1252 page."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction import extract

PAGES = Path(__file__).parent / "fixtures" / "pages"

PINNED = {
    "newspaper_td": {
        "url": "https://www.harbortowngazette.test/local/city-council-approves-riverside-bike-lanes/?utm_source=feed",
        "headers": None,
        "blocks": [
            (
                "image",
                None,
                "",
                "https://www.harbortowngazette.test/wp-content/uploads/2024/09/riverside-lanes-696x392.jpg",
            ),
            (
                "paragraph",
                None,
                "The Harbor Town City Council voted 6-3 on Wednesday night to build protected bike lanes along Riverside Drive, ending a two-year dispute between cycling advocates and shop owners on the waterfront.",
                None,
            ),
            (
                "paragraph",
                None,
                "The plan removes 84 parking spaces between Mill Street and the ferry terminal and replaces them with a two-way lane separated from traffic by concrete planters.",
                None,
            ),
            ("heading", 3, "What changes for drivers", None),
            (
                "paragraph",
                None,
                "Drivers heading east will lose one of two lanes during construction, which is expected to start in March and last about five months.",
                None,
            ),
            (
                "paragraph",
                None,
                "“We heard every concern, and we changed the design three times,” said council member Priya Anand, who sponsored the measure.",
                None,
            ),
            ("heading", 3, "Businesses remain divided", None),
            (
                "paragraph",
                None,
                "Some merchants warned that customers would stop coming if they could not park outside. Others said foot traffic had grown on streets that added bike lanes.",
                None,
            ),
            ("list_item", 1, "Construction starts in March 2025.", None),
            ("list_item", 1, "Loading zones stay on the north side.", None),
            ("list_item", 1, "A review is due one year after opening.", None),
            (
                "paragraph",
                None,
                "The council will revisit the parking question when the review is presented.",
                None,
            ),
        ],
        "title": "City Council Approves Riverside Bike Lanes After Long Debate",
        "authors": ["Marcus Oyelaran"],
        "published_at": "2024-09-18T21:45:00Z",
        "modified_at": "2024-09-19T12:10:00Z",
        "canonical_url": "https://www.harbortowngazette.test/local/city-council-approves-riverside-bike-lanes/",
        "site": "www.harbortowngazette.test",
        "next_page_url": None,
        "language": "en-US",
        "section": "Local News",
        "tags": ["transport", "city council"],
        "related": [
            (
                "https://www.harbortowngazette.test/local/ferry-fares-to-rise-in-january/",
                "Ferry fares to rise in January",
                "Ferry fares to rise in January",
                None,
            ),
            (
                "https://www.harbortowngazette.test/local/new-crosswalks-near-harbor-school/",
                "New crosswalks planned near Harbor School after near misses",
                "New crosswalks planned near Harbor School after...",
                None,
            ),
            (
                "https://www.harbortowngazette.test/sports/regatta-returns-to-the-bay/",
                "Regatta returns to the bay",
                "Regatta returns to the bay",
                None,
            ),
        ],
    },
    "jnews_jetpack": {
        "url": "https://greenlinedaily.test/energy/heat-pump-sales-overtake-gas-boilers/",
        "headers": None,
        "blocks": [
            (
                "paragraph",
                None,
                "More heat pumps than gas boilers were installed in new and existing homes last year, according to figures published on Thursday by the national installers’ association.",
                None,
            ),
            (
                "paragraph",
                None,
                "It is the first time the low-carbon systems have come out ahead since records began in 2008.",
                None,
            ),
            ("heading", 2, "Grants did the heavy lifting", None),
            (
                "paragraph",
                None,
                "The association credited a grant of up to £7,500 per household and a fall of nearly a fifth in equipment prices.",
                None,
            ),
            (
                "paragraph",
                None,
                "“Two years ago, people asked us whether heat pumps worked in cold weather. Now they ask how soon we can fit one,” said installer Kwame Mensah.",
                None,
            ),
            ("heading", 2, "Skills shortage looms", None),
            (
                "paragraph",
                None,
                "The industry still needs tens of thousands more trained engineers to meet demand by the end of the decade, the association warned.",
                None,
            ),
        ],
        "title": "Heat Pump Sales Overtake Gas Boilers for the First Time",
        "authors": ["Sofia Brandt"],
        "published_at": "2025-02-14T06:00:00Z",
        "modified_at": "2025-02-14T09:30:00Z",
        "canonical_url": "https://greenlinedaily.test/energy/heat-pump-sales-overtake-gas-boilers/",
        "site": "greenlinedaily.test",
        "next_page_url": None,
        "language": "en-US",
        "section": "Energy",
        "tags": ["heat pumps", "energy", "homes"],
        "related": [
            (
                "https://greenlinedaily.test/energy/how-the-boiler-grant-works/",
                "How the boiler upgrade grant works",
                "How the boiler upgrade grant works",
                None,
            ),
            (
                "https://greenlinedaily.test/energy/solar-panel-costs-fall/",
                "Solar panel costs fall again as installations boom",
                "Solar panel costs fall again as installations boom",
                "Prices for rooftop systems dropped for the third year running.",
            ),
            (
                "https://greenlinedaily.test/homes/insulation-grants-explained/",
                "Insulation grants explained: who qualifies and how to apply",
                "Insulation grants explained: who qualifies…",
                "The scheme reopens in April with a simpler form.",
            ),
            (
                "https://greenlinedaily.test/transport/electric-bus-fleet-doubles/",
                "Electric bus fleet doubles in a year",
                "Electric bus fleet doubles in a year",
                None,
            ),
        ],
    },
    "jsonld_news": {
        "url": "https://news.meridiancourier.test/science/2025/05/11/northern-lights-cornwall",
        "headers": None,
        "blocks": [
            (
                "paragraph",
                None,
                "Skywatchers across the United Kingdom were treated to a rare display of the aurora borealis on Saturday night, with sightings reported from Shetland to the Isles of Scilly.",
                None,
            ),
            (
                "paragraph",
                None,
                "The Met Office said a severe geomagnetic storm, the strongest for two decades, pushed the lights much further south than usual.",
                None,
            ),
            ("heading", 2, "Why was it so strong?", None),
            (
                "paragraph",
                None,
                "Forecasters said several bursts of charged particles left the Sun within hours of each other and arrived together.",
                None,
            ),
            (
                "quote",
                None,
                "“It is the kind of night you remember for the rest of your life,” said amateur astronomer Gwen Tresize, who watched from Land’s End.",
                None,
            ),
            (
                "paragraph",
                None,
                "More displays are possible on Sunday night if skies stay clear, although the storm is expected to weaken.",
                None,
            ),
        ],
        "title": "Northern lights seen as far south as Cornwall",
        "authors": ["Aisha Rahman", "Tom Lindqvist"],
        "published_at": "2025-05-11T06:30:00Z",
        "modified_at": "2025-05-11T11:05:00Z",
        "canonical_url": "https://news.meridiancourier.test/science/2025/05/11/northern-lights-cornwall",
        "site": "news.meridiancourier.test",
        "next_page_url": None,
        "language": "en-GB",
        "section": "Science",
        "tags": ["aurora", "space weather", "astronomy"],
        "related": [
            (
                "https://news.meridiancourier.test/science/2025/05/09/how-to-photograph-the-aurora",
                "How to photograph the aurora with your phone",
                "How to photograph the aurora with your phone",
                None,
            ),
            (
                "https://news.meridiancourier.test/science/2025/05/10/solar-maximum-explained",
                "Solar maximum explained",
                "Solar maximum explained",
                "Why the Sun is at its most active for a decade.",
            ),
            (
                "https://news.meridiancourier.test/science/2025/05/08/meteor-shower-peaks",
                "Meteor shower peaks this week",
                "Meteor shower peaks this week",
                "The Eta Aquariids are best seen before dawn.",
            ),
        ],
    },
    "amp_story": {
        "url": "https://gulfcoastnow.test/news/volunteers-rescue-stranded-turtles/amp/",
        "headers": None,
        "blocks": [
            (
                "paragraph",
                None,
                "Volunteers pulled 40 cold-stunned sea turtles from the shallow waters of the bay on Tuesday after temperatures dropped below freezing overnight.",
                None,
            ),
            (
                "paragraph",
                None,
                "The turtles, mostly young green sea turtles, become sluggish when water temperatures fall and can drown or wash ashore.",
                None,
            ),
            (
                "paragraph",
                None,
                "“We warm them up slowly, check them over and release them once the water is safe again,” said Marisol Vega of the Bayfront Sea Life Center.",
                None,
            ),
            ("embed", None, "", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
            (
                "paragraph",
                None,
                "Residents who find a stranded turtle are asked to call the state wildlife hotline rather than returning it to the water.",
                None,
            ),
        ],
        "title": "Volunteers rescue 40 stranded turtles after cold snap",
        "authors": ["Luis Ortega"],
        "published_at": "2025-01-22T12:15:00Z",
        "modified_at": None,
        "canonical_url": "https://gulfcoastnow.test/news/volunteers-rescue-stranded-turtles/",
        "site": "gulfcoastnow.test",
        "next_page_url": None,
        "language": "en",
        "section": None,
        "tags": [],
        "related": [
            (
                "https://gulfcoastnow.test/news/pelican-season-starts-early/",
                "Pelican season starts early on the barrier islands",
                "Pelican season starts early on the barrier islands",
                None,
            ),
            (
                "https://gulfcoastnow.test/news/beach-cleanup-record/",
                "Beach cleanup sets a county record",
                "Beach cleanup sets a county record",
                None,
            ),
        ],
    },
    "multipage_1": {
        "url": "https://thekitchenledger.test/sourdough-starter-guide/",
        "headers": None,
        "blocks": [
            (
                "paragraph",
                None,
                "A sourdough starter is nothing more than flour and water left to ferment until wild yeasts and bacteria settle in. It takes about a week, a jar and some patience.",
                None,
            ),
            ("heading", 2, "Day one: mix", None),
            (
                "paragraph",
                None,
                "Stir 50 grams of wholemeal flour into 50 grams of lukewarm water, cover the jar loosely and leave it somewhere warm.",
                None,
            ),
        ],
        "title": "How to Make a Sourdough Starter From Scratch",
        "authors": ["Hannah Brook"],
        "published_at": "2024-03-02T10:00:00Z",
        "modified_at": None,
        "canonical_url": "https://thekitchenledger.test/sourdough-starter-guide/",
        "site": "thekitchenledger.test",
        "next_page_url": "https://thekitchenledger.test/sourdough-starter-guide/2/",
        "language": "en-US",
        "section": None,
        "tags": [],
        "related": [],
    },
    "multipage_2": {
        "url": "https://thekitchenledger.test/sourdough-starter-guide/2/",
        "headers": None,
        "blocks": [
            ("heading", 2, "Days two to five: feed", None),
            (
                "paragraph",
                None,
                "Each day, throw away half of the mixture and feed what is left with fresh flour and water in equal weights.",
                None,
            ),
            ("list_item", 1, "Use the same flour every time.", None),
            ("list_item", 1, "Keep the jar between 24 and 27 °C.", None),
        ],
        "title": "How to Make a Sourdough Starter From Scratch",
        "authors": ["Hannah Brook"],
        "published_at": "2024-03-02T10:00:00Z",
        "modified_at": None,
        "canonical_url": "https://thekitchenledger.test/sourdough-starter-guide/2/",
        "site": "thekitchenledger.test",
        "next_page_url": "https://thekitchenledger.test/sourdough-starter-guide/3/",
        "language": "en-US",
        "section": None,
        "tags": [],
        "related": [],
    },
    "multipage_3": {
        "url": "https://thekitchenledger.test/sourdough-starter-guide/3/",
        "headers": None,
        "blocks": [
            ("heading", 2, "Day six onwards: bake", None),
            (
                "paragraph",
                None,
                "When the starter doubles within six hours of a feed and smells pleasantly sour, it is ready to raise a loaf.",
                None,
            ),
        ],
        "title": "How to Make a Sourdough Starter From Scratch",
        "authors": ["Hannah Brook"],
        "published_at": "2024-03-02T10:00:00Z",
        "modified_at": None,
        "canonical_url": "https://thekitchenledger.test/sourdough-starter-guide/3/",
        "site": "thekitchenledger.test",
        "next_page_url": None,
        "language": "en-US",
        "section": None,
        "tags": [],
        "related": [],
    },
    "windows1252_legacy": {
        "url": "http://kreisbote-oberland.test/lokales/baeckerei-mueller-schliesst.html",
        "headers": {"Content-Type": "text/html; charset=UTF-8"},
        "blocks": [
            (
                "paragraph",
                None,
                "Die Bäckerei Müller in der Hauptstraße schließt Ende März. Vier Generationen lang hat die Familie hier Brot, Brezeln und Kuchen verkauft – zuletzt mit sieben Angestellten.",
                None,
            ),
            (
                "paragraph",
                None,
                "„Es fällt uns nicht leicht, aber es findet sich kein Nachfolger“, sagt Inhaberin Grete Müller. Die Kunden reagierten bestürzt; viele kauften am Samstag ein letztes Mal ihr „Sonntagsbrot“.",
                None,
            ),
            (
                "paragraph",
                None,
                "Für das Gebäude gibt es bereits Interessenten. Ein Café würde sich über die vorhandene Backstube freuen.",
                None,
            ),
        ],
        "title": "Bäckerei Müller schließt nach 112 Jahren",
        "authors": ["Jürgen Weiß"],
        "published_at": "2025-02-03T14:30:00",
        "modified_at": None,
        "canonical_url": "http://kreisbote-oberland.test/lokales/baeckerei-mueller-schliesst.html",
        "site": "kreisbote-oberland.test",
        "next_page_url": None,
        "language": "de",
        "section": None,
        "tags": [],
        "related": [],
    },
}

#: Text of page chrome that must not reach body_text, per fixture.
NOT_IN_BODY = {
    "newspaper_td": [
        "Advertisement",
        "Facebook",
        "Tweet",
        "TAGS",
        "Previous article",
        "covers city hall",
        "RELATED ARTICLES",
        "Ferry fares",
        "LEAVE A REPLY",
        "Most Popular",
        "ABOUT US",
        "Home",
        "1,204",
        "By Marcus",
    ],
    "jnews_jetpack": [
        "ADVERTISEMENT",
        "Share on Facebook",
        "Read more",
        "boiler upgrade grant",
        "Solar panel",
        "You may also like",
        "Electric bus",
        "Tags:",
        "cost of living",
        "Previous Post",
        "Discussion",
        "Popular",
        "Home",
        "Installers say grants",
    ],
    "jsonld_news": [
        "cookies",
        "Breadcrumb",
        "Read more",
        "photograph the aurora",
        "Science Briefing",
        "newsletter",
        "More from Science",
        "Solar maximum",
        "© 2025",
        "By Aisha",
        "11 May 2025",
    ],
    "amp_story": [
        "Advertisement",
        "Menu",
        "Weather",
        "You may also like",
        "Pelican season",
        "Gulf Coast Now",
        "By Luis",
    ],
    "multipage_1": ["Pages:", "Focaccia", "Posted in", "Recipes"],
    "multipage_2": ["Pages:", "Focaccia", "Posted in"],
    "multipage_3": ["Pages:", "Focaccia", "Posted in"],
    "windows1252_legacy": ["Lokales", "Impressum", "Von Jürgen", "Ã"],
}


def _extract(name):
    case = PINNED[name]
    return extract(
        (PAGES / f"{name}.html").read_bytes(),
        case["url"],
        case["headers"],
        fetched_at="2025-06-01T00:00:00Z",
    )


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_blocks(name):
    article = _extract(name)
    assert [(b.kind, b.level, b.text, b.src) for b in article.blocks] == PINNED[name]["blocks"]
    assert article.body_text == "\n\n".join(b.text for b in article.blocks if b.text)


@pytest.mark.parametrize("name", sorted(PINNED))
@pytest.mark.parametrize(
    "field",
    [
        "title",
        "authors",
        "published_at",
        "modified_at",
        "canonical_url",
        "site",
        "next_page_url",
        "language",
        "section",
        "tags",
    ],
)
def test_pinned_metadata(name, field):
    assert getattr(_extract(name), field) == PINNED[name][field]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_related(name):
    got = [(r.url, r.title, r.anchor_text, r.teaser) for r in _extract(name).related]
    assert got == PINNED[name]["related"]


@pytest.mark.parametrize(
    ("name", "fragment"), [(n, f) for n, fs in NOT_IN_BODY.items() for f in fs]
)
def test_chrome_not_in_body(name, fragment):
    assert fragment not in _extract(name).body_text


def test_cut_related_title_is_completed_from_the_title_attribute():
    related = _extract("newspaper_td").related
    assert related[1].anchor_text == "New crosswalks planned near Harbor School after..."
    assert related[1].title == "New crosswalks planned near Harbor School after near misses"


def test_three_pages_chain_by_next_page_url():
    urls = [_extract(f"multipage_{n}").next_page_url for n in (1, 2, 3)]
    assert urls == [PINNED["multipage_2"]["url"], PINNED["multipage_3"]["url"], None]


def test_timezone_less_date_is_flagged():
    article = _extract("windows1252_legacy")
    assert article.published_raw == "03.02.2025 14:30"
    assert any("published_at: no time zone" in w for w in article.warnings)
    assert any("windows-1252" in w for w in article.warnings)


def test_field_sources_name_each_source():
    sources = _extract("jsonld_news").field_sources
    assert sources["published_at"] == "jsonld"
    assert sources["authors"] == "jsonld"
    assert sources["title"] == "h1"  # the visible headline (issue 16)
    assert sources["canonical_url"] == "canonical"
    assert _extract("newspaper_td").field_sources["authors"] == "byline"


def test_amp_embed_and_no_ads():
    article = _extract("amp_story")
    embeds = [b for b in article.blocks if b.kind == "embed"]
    assert [b.src for b in embeds] == ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]
    assert "amp-ad" not in article.body_html and "<script" not in article.body_html


def test_image_block_keeps_src_alt_and_caption():
    image = _extract("newspaper_td").blocks[0]
    assert image.kind == "image"
    assert image.alt == "Cyclists on the riverside path"
    assert image.caption == "Cyclists on the riverside path on Tuesday. Photo by Dana Whitfield"
    assert "<figcaption>" in _extract("newspaper_td").body_html
