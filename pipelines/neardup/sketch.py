"""MinHash sketches of a text's word shingles. Pure functions over numpy arrays.

A text becomes lower-case word tokens, the tokens become overlapping ``k``-word
shingles, each shingle a 64-bit hash, and the set of shingle hashes a MinHash
signature of ``num_perm`` 32-bit values (multiply-shift hashing, one odd multiplier
and one offset per permutation, from a fixed seed: signatures are stable across
processes and machines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"\w+", re.UNICODE)
_MIX = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xFF51AFD7ED558CCD),
    np.uint64(0xC4CEB9FE1A85EC53),
    np.uint64(0x85EBCA77C2B2AE63),
    np.uint64(0x27D4EB2F165667C5),
)

Signature = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class SketchParams:
    """What shapes a signature; signatures made with other params do not compare."""

    shingle_size: int = 3  # words per shingle (NEAR_DUP_SHINGLE_SIZE)
    num_perm: int = 64  # MinHash permutations (NEAR_DUP_NUM_PERM)
    bands: int = 32  # LSH bands; rows per band = num_perm // bands (NEAR_DUP_BANDS)
    seed: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.shingle_size <= len(_MIX):
            raise ValueError(f"shingle size must be 1..{len(_MIX)}, not {self.shingle_size}")
        if self.num_perm < 1 or self.bands < 1 or self.num_perm % self.bands:
            raise ValueError(
                f"num_perm ({self.num_perm}) must be a positive multiple of bands ({self.bands})"
            )

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands

    @property
    def key(self) -> str:
        """Stored with each signature: ``k3-p64-s1``."""
        return f"k{self.shingle_size}-p{self.num_perm}-s{self.seed}"


DEFAULT_PARAMS = SketchParams()


@dataclass(frozen=True)
class Sketch:
    signature: Signature  # num_perm uint32 values
    shingles: int  # distinct shingles in the text (0: too short to compare)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


_P = 0x100000001B3  # odd: invertible modulo 2**64
_P_INV = pow(_P, -1, 2**64)
_POWERS: list[npt.NDArray[np.uint64]] = []


def _powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``P**i`` and ``P**-i`` modulo 2**64 for i < n (grown on demand, kept)."""
    if not _POWERS or len(_POWERS[0]) < n:
        size = max(n, 2 * len(_POWERS[0]) if _POWERS else 65536)
        with np.errstate(over="ignore"):
            fwd = np.cumprod(np.full(size, _P, dtype=np.uint64), dtype=np.uint64)
            inv = np.cumprod(np.full(size, _P_INV, dtype=np.uint64), dtype=np.uint64)
        fwd = np.concatenate([np.ones(1, dtype=np.uint64), fwd[:-1]])
        inv = np.concatenate([np.ones(1, dtype=np.uint64), inv[:-1]])
        _POWERS[:] = [fwd, inv]
    return _POWERS[0], _POWERS[1]


def token_hashes(words: list[str]) -> npt.NDArray[np.uint64]:
    """A 64-bit polynomial hash of each word's UTF-8 bytes, computed in one vector pass."""
    data = np.frombuffer(" ".join(words).encode(), dtype=np.uint8)
    fwd, inv = _powers(len(data) + 1)
    ends = np.flatnonzero(data == 32)
    starts = np.concatenate([np.zeros(1, dtype=np.int64), ends + 1])
    ends = np.concatenate([ends, np.array([len(data)], dtype=np.int64)])
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(data) + 1, dtype=np.uint64)
        np.cumsum((data.astype(np.uint64) + np.uint64(1)) * fwd[: len(data)], out=prefix[1:])
        hashed = (prefix[ends] - prefix[starts]) * inv[starts]
        hashed ^= hashed >> np.uint64(29)
        hashed *= _MIX[7]
        hashed ^= hashed >> np.uint64(32)
    return hashed


def shingle_hashes(text: str, shingle_size: int) -> npt.NDArray[np.uint64]:
    """The distinct 64-bit hashes of the text's ``shingle_size``-word shingles.

    A text shorter than one shingle gives one shingle of all its words (none when empty).
    """
    words = tokens(text)
    if not words:
        return np.empty(0, dtype=np.uint64)
    hashed = token_hashes(words)
    k = min(shingle_size, len(words))
    n = len(words) - k + 1
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(k):
            part = (hashed[offset : offset + n] + np.uint64(offset + 1)) * _MIX[offset]
            combined ^= part
            combined = (combined << np.uint64(13)) | (combined >> np.uint64(51))
    return np.unique(combined)


def _permutations(params: SketchParams) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(params.seed)
    mult = rng.integers(1, 2**63, size=params.num_perm, dtype=np.uint64) | np.uint64(1)
    add = rng.integers(0, 2**63, size=params.num_perm, dtype=np.uint64)
    return mult, add


_PERMS: dict[SketchParams, tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]] = {}


def sketch(text: str, params: SketchParams = DEFAULT_PARAMS) -> Sketch:
    """The MinHash sketch of ``text``; an empty text gives an all-max signature, 0 shingles."""
    perms = _PERMS.get(params)
    if perms is None:
        perms = _PERMS[params] = _permutations(params)
    mult, add = perms
    hashes = shingle_hashes(text, params.shingle_size)
    if hashes.size == 0:
        return Sketch(np.full(params.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32), 0)
    with np.errstate(over="ignore"):
        # one (num_perm, shingles) array, added to in place and reduced along its rows:
        # half the time of the broadcast form, which made a second temporary and
        # reduced across rows (the same values)
        mixed = np.multiply.outer(mult, hashes)
        mixed += add[:, None]
    signature = (mixed.min(axis=1) >> np.uint64(32)).astype(np.uint32)
    return Sketch(signature, int(hashes.size))


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """``|A ∩ B| / min(|A|, |B|)`` from the Jaccard index and the set sizes."""
    if size_a <= 0 or size_b <= 0:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, shared / min(size_a, size_b))
