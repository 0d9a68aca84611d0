"""Floors for title, author and date on the WCXB dev articles (issue 16).

Reads ../shared/extraction-dev/wcxb/ (beside the repository, or beside the folder that
holds this worktree) and scores ``extract()`` with that folder's own ``score.py``. The
floors sit a little under what bench/metadata.py measured (docs/benchmarks.md,
"Metadata"); the pages are never committed, so the test skips where they are absent.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipelines.extraction import extract

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = [p / "shared" / "extraction-dev" / "wcxb" for p in REPO.parents[:2]]
WCXB = next((p for p in CANDIDATES if (p / "ground-truth.json.gz").is_file()), None)

#: Measured 2026-12 (bench/metadata.py): date F 0.862 (halves 0.886 / 0.839 after the
#: third date pass of #16), author 0.834 (halves 0.830 / 0.838 after the second author
#: pass), title 0.862.
FLOORS = {"date_F": 0.855, "author_acc": 0.82, "title_exact": 0.84}
#: Each half of the sites (by a hash of the host) must hold up too.
HALF_FLOORS = {"date_F": 0.83, "author_acc": 0.81, "title_exact": 0.82}

pytestmark = pytest.mark.skipif(
    WCXB is None, reason="../shared/extraction-dev/wcxb/ is not here (dev pages, never committed)"
)


def _half(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return "A" if hashlib.sha256(host.encode()).hexdigest()[0] < "8" else "B"


@pytest.fixture(scope="module")
def scored() -> dict[str, dict[str, float]]:
    assert WCXB is not None
    spec = importlib.util.spec_from_file_location("wcxb_score", WCXB / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold = json.loads(gzip.decompress((WCXB / "ground-truth.json.gz").read_bytes()))
    rows: dict[str, list[dict[str, object]]] = {"all": [], "A": [], "B": []}
    for key, truth in gold.items():
        path = WCXB / "html" / f"{key}.html.gz"
        if not path.exists():
            continue
        article = extract(gzip.decompress(path.read_bytes()), truth["url"])
        pred = {"title": article.title, "author": article.authors, "date": article.published_at}
        verdict = score.page(pred, truth)
        rows["all"].append(verdict)
        rows[_half(truth["url"])].append(verdict)
    return {name: score.totals(pages) for name, pages in rows.items()}


@pytest.mark.parametrize("measure", sorted(FLOORS))
def test_wcxb_dev_floor(scored, measure):
    assert scored["all"][measure] >= FLOORS[measure], scored["all"]


@pytest.mark.parametrize("half", ["A", "B"])
@pytest.mark.parametrize("measure", sorted(HALF_FLOORS))
def test_wcxb_dev_floor_on_each_half_of_the_sites(scored, half, measure):
    assert scored[half][measure] >= HALF_FLOORS[measure], scored[half]
