"""The article's language comes from its body text; ``<html lang>`` is a hint kept beside
it (#20, item 18)."""

from __future__ import annotations

import pytest

from archive import CrawlArchive
from pipelines.core.records import Capture, PageWrite
from pipelines.extraction import extract
from pipelines.extraction.language import decide, primary

GERMAN = (
    "Der Stadtrat hat am Dienstagabend nach langer Debatte beschlossen, dass das Leuchtfeuer "
    "am Hafen weitere zehn Jahre brennen soll. Die Fischer der Insel hatten sich dafür "
    "eingesetzt, weil die Einfahrt bei Nebel gefährlich ist und die Kosten gering sind."
)
ENGLISH = (
    "The council decided on Tuesday evening, after a long debate, that the harbour light "
    "will keep burning for another ten years. The island's fishermen had campaigned for it, "
    "because the entrance is dangerous in fog and the cost is small."
)
FRENCH = (
    "Le conseil municipal a décidé mardi soir, après un long débat, que le phare du port "
    "resterait allumé pendant encore dix ans. Les pêcheurs de l'île l'avaient demandé, car "
    "l'entrée est dangereuse par temps de brouillard et le coût est faible."
)


def page(lang: str | None, body: str) -> bytes:
    attr = f' lang="{lang}"' if lang else ""
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in body.split(". "))
    return (
        f"<!DOCTYPE html><html{attr}><head><meta charset='utf-8'><title>Hafen</title></head>"
        f"<body><article><h1>Hafen</h1>{paragraphs}</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("lang", "body", "language", "declared", "source"),
    [
        ("en", GERMAN, "de", "en", "body_text"),  # the template lies: the text decides
        ("en-GB", ENGLISH, "en-GB", "en-GB", "body_text"),  # agree: the fuller tag is kept
        (None, FRENCH, "fr", None, "body_text"),  # nothing declared
        ("de", "Kurz.", "de", "de", "html"),  # too little text: the declared value stands
        (None, "Short.", None, None, None),
    ],
)
def test_language_from_the_body_text(
    lang: str | None, body: str, language: str | None, declared: str | None, source: str | None
) -> None:
    article = extract(page(lang, body), "https://harbour.example/a/")
    assert article.language == language
    assert article.language_declared == declared
    assert article.field_sources.get("language") == source
    assert article.field_sources.get("language_declared") == ("html" if declared else None)


@pytest.mark.parametrize(
    ("declared", "source", "text", "expected"),
    [
        ("en", "html", GERMAN, ("de", "body_text")),
        ("de-AT", "meta", GERMAN, ("de-AT", "body_text")),
        ("en", "html", "", ("en", "html")),
        (None, None, "", (None, None)),
    ],
)
def test_decide(
    declared: str | None, source: str | None, text: str, expected: tuple[str | None, str | None]
) -> None:
    assert decide(declared, source, text) == expected


@pytest.mark.parametrize(
    ("tag", "code"), [("en-GB", "en"), ("pt_BR", "pt"), ("DE", "de"), (None, "")]
)
def test_primary(tag: str | None, code: str) -> None:
    assert primary(tag) == code


def test_the_archive_keeps_both() -> None:
    article = extract(page("en", GERMAN), "https://harbour.example/a/")
    capture = Capture(
        url=article.url,
        final_url=article.url,
        status=200,
        run_id="run-1",
        fetched_at="2025-03-03T10:00:00Z",
        body=page("en", GERMAN),
    )
    with CrawlArchive(":memory:") as archive:
        archive.start_run("run-1", spider="articles", args={}, settings={}, started_at="t0")
        archive.save_batch([PageWrite(capture, article, "new")])
        row = archive.query("SELECT language, language_declared, field_sources FROM articles")[0]
    assert (row["language"], row["language_declared"]) == ("de", "en")
    assert '"language": "body_text"' in row["field_sources"]
    assert '"language_declared": "html"' in row["field_sources"]


ITALIAN = (
    "Il consiglio comunale ha deciso martedì sera, dopo un lungo dibattito, che il faro del "
    "porto resterà acceso per altri dieci anni. I pescatori dell'isola lo avevano chiesto, "
    "perché l'ingresso è pericoloso con la nebbia e il costo è basso, e a tutti va bene così."
)
DUTCH = (
    "De gemeenteraad heeft dinsdagavond na een lang debat besloten dat het licht in de haven "
    "nog tien jaar blijft branden. Het was een wens van de vissers van het eiland, want de "
    "ingang is gevaarlijk bij mist en de kosten zijn laag. Ook de burgemeester is blij."
)
PORTUGUESE = (
    "A câmara municipal decidiu na terça-feira à noite, depois de um longo debate, que o farol "
    "do porto vai continuar aceso por mais dez anos. Os pescadores da ilha pediram isso, "
    "porque a entrada é perigosa com nevoeiro e o custo é baixo, e a cidade está de acordo."
)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (ENGLISH, True),
        (ENGLISH.upper(), True),  # case does not matter
        (GERMAN, False),  # "was", "will", "also", "in" are German words too: not counted
        (FRENCH, False),
        (ITALIAN, False),  # "a", "i", "e" are Italian words: not counted
        (DUTCH, False),  # "is", "in", "het", "was"
        (PORTUGUESE, False),  # "a", "o", "as"
        ("the " * 10, False),  # too few words to tell: the model decides
    ],
)
def test_english_is_told_without_the_model_only_when_it_is_english(
    text: str, english: bool
) -> None:
    from pipelines.extraction.language import _english

    assert _english(" ".join(text.split())) is english


@pytest.mark.parametrize(
    ("declared", "text", "expected"),
    [
        ("de", ENGLISH + " " + ENGLISH, ("en", "body_text")),  # the template lies
        ("en-GB", ENGLISH, ("en-GB", "body_text")),  # agree: the fuller tag is kept
        ("en", ITALIAN, ("it", "body_text")),  # not English: the model decides, as before
        ("en", DUTCH, ("nl", "body_text")),
    ],
)
def test_the_shortcut_and_the_model_decide_alike(
    declared: str, text: str, expected: tuple[str, str]
) -> None:
    assert decide(declared, "html", text) == expected
