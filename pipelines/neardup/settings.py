"""The near-duplicate settings: one reading of ``NEAR_DUP_*``, for every stage that sketches.

The crawl's dedup stage, the extraction workers, ``morgue merge`` (which recomputes
clusters across shards) and ``morgue reprocess`` (which sketches a changed body again)
must sketch with the same parameters and leave out the same boilerplate, or the same
article would cluster differently depending on how it reached the archive. They all
build a :class:`NearDupSettings` here, from Scrapy settings or from ``-s NAME=VALUE``
pairs alike (any mapping of setting names to values). docs/dedup.md has the figures
behind the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.neardup.sketch import SketchParams

DEFAULT_THRESHOLD = 0.5
DEFAULT_SHINGLE_SIZE = 3
DEFAULT_NUM_PERM = 64
DEFAULT_BANDS = 32
DEFAULT_BOILERPLATE_MIN = 3

#: The settings that shape a sketch, a match and the text sketched.
NAMES = (
    "NEAR_DUP_SHINGLE_SIZE",
    "NEAR_DUP_NUM_PERM",
    "NEAR_DUP_BANDS",
    "NEAR_DUP_THRESHOLD",
    "NEAR_DUP_BOILERPLATE_MIN",
)


@dataclass(frozen=True)
class NearDupSettings:
    """Sketch parameters, match threshold and the boilerplate rule of one archive."""

    params: SketchParams
    threshold: float = DEFAULT_THRESHOLD
    boilerplate_min: int = DEFAULT_BOILERPLATE_MIN

    @classmethod
    def default(cls) -> NearDupSettings:
        return cls(
            SketchParams(
                shingle_size=DEFAULT_SHINGLE_SIZE, num_perm=DEFAULT_NUM_PERM, bands=DEFAULT_BANDS
            ),
            DEFAULT_THRESHOLD,
            DEFAULT_BOILERPLATE_MIN,
        )

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> NearDupSettings:
        """The values ``settings`` give (a Scrapy ``Settings`` or a plain dict), with the
        defaults for the rest. Raises ValueError, naming the setting, for a bad value."""
        params = SketchParams(
            shingle_size=_number(settings, "NEAR_DUP_SHINGLE_SIZE", DEFAULT_SHINGLE_SIZE, int),
            num_perm=_number(settings, "NEAR_DUP_NUM_PERM", DEFAULT_NUM_PERM, int),
            bands=_number(settings, "NEAR_DUP_BANDS", DEFAULT_BANDS, int),
        )
        threshold = _number(settings, "NEAR_DUP_THRESHOLD", DEFAULT_THRESHOLD, float)
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"NEAR_DUP_THRESHOLD must be in (0, 1], not {threshold}.")
        boilerplate_min = _number(
            settings, "NEAR_DUP_BOILERPLATE_MIN", DEFAULT_BOILERPLATE_MIN, int
        )
        return cls(params, threshold, boilerplate_min)


def _number(settings: Mapping[str, Any], name: str, default: Any, kind: type) -> Any:
    value = settings.get(name)
    if value is None or value == "":
        return default
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} takes a number, not {value!r}.") from exc
