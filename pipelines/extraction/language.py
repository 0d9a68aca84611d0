"""The article's language, from its body text (#20). Pure: a function of strings.

A page's ``<html lang>`` (or ``og:locale``, ``inLanguage``) is what its template
declares, and templates lie: a German article on a site whose theme says ``en`` was
stored as ``en``. The declared value is a hint; the answer is read from the body text
with py3langid (a maintained fork of langid.py: a small naive-Bayes model over byte
n-grams, 97 languages, no network, about 1 ms for the sample below).

* Only the first :data:`SAMPLE_CHARS` characters of the body are read, so the cost
  does not grow with the article.
* Under :data:`MIN_CHARS` characters of body text, or a detection less sure than
  :data:`MIN_CONFIDENCE`, the declared value stands (source: where it was declared).
* When the detection agrees with the declared language, the declared tag is kept
  (``en-GB`` says more than ``en``); the source is then ``body_text``, as when the
  detection overrides it.

The declared value is kept beside it (``Article.language_declared``).

English text, most of what is archived, is told without the model: when at least
:data:`ENGLISH_SHARE` of the sample's words are English function words that no other
language uses as words (``the``, ``which``, ``would``...), the text is English. On the
882 dev pages that share was at least 0.12 on 843 of the 870 English bodies and at most
0.0125 on any other; py3langid agreed on every one of the 843. The model's ~1 ms a page
(a Python loop over each byte) is then spent only on the rest (issue 15: cost).
"""

from __future__ import annotations

import functools
from typing import Any

#: Characters of body text read (from the start).
SAMPLE_CHARS = 1500
#: Less body text than this: too little to tell; the declared language stands.
MIN_CHARS = 120
#: The detector's normalised probability needed to override the declared language.
MIN_CONFIDENCE = 0.9
#: ``field_sources["language"]`` when the body text decided.
SOURCE = "body_text"
#: Share of English-only function words above which a sample is English without the model.
ENGLISH_SHARE = 0.12
#: Words long enough to count: fewer, and the model decides.
_MIN_WORDS = 30
#: English function words that are not words of another language the model knows well
#: ("a", "in", "is", "was", "on", "also", "will", "to" are, and are left out).
_ENGLISH_WORDS_TEXT = (
    "the of and that for with from this are have has they his she their were been which "
    "would who said about there when after than into its not but by be it you"
)
_ENGLISH_WORDS = frozenset(_ENGLISH_WORDS_TEXT.split())


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, loaded once per process
    (:mod:`.langmodel`: ~72 MiB kept, without py3langid's second copy while loading)."""
    from pipelines.extraction.langmodel import load_identifier

    return load_identifier()


def detect(text: str) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) of ``text``'s language, or None for too little text."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return None
    if _english(sample):
        return "en", 1.0
    code, probability = _identifier().classify(sample)
    return str(code), float(probability)


def _english(sample: str) -> bool:
    """Whether enough of the sample's first words are English-only function words."""
    words = sample[:1000].lower().split()
    if len(words) < _MIN_WORDS:
        return False
    hits = sum(1 for word in words if word in _ENGLISH_WORDS)
    return hits >= ENGLISH_SHARE * len(words)


def primary(tag: str | None) -> str:
    """``"en-GB"`` -> ``"en"``; ``"pt_BR"`` -> ``"pt"``."""
    return (tag or "").replace("_", "-").split("-")[0].strip().lower()


def decide(
    declared: str | None, declared_source: str | None, body_text: str
) -> tuple[str | None, str | None]:
    """The article's (language, its source) from the declared language and the body."""
    found = detect(body_text)
    if found is None or found[1] < MIN_CONFIDENCE or found[0] == "zxx":  # zxx: no language
        return declared, declared_source if declared else None
    code = found[0]
    if declared and primary(declared) == code:
        return declared, SOURCE
    return code, SOURCE
