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


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, loaded once per process."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) of ``text``'s language, or None for too little text."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return None
    code, probability = _identifier().classify(sample)
    return str(code), float(probability)


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
