"""py3langid's model, loaded without a second copy of its largest table (memory).

py3langid's own loader (``py3langid.modelio.load_model``) reads the model's DFA
transition table (9.8 million entries, 39 MB as uint32) into a NumPy array, then copies
it into an ``array.array``; both are alive at once. A process that loads the model so
peaks ~29 MiB above what it keeps: 130.8 against 101.3 MiB in a bare interpreter. Every
extraction process loads it (at the first body that is not plainly English:
:mod:`.language`), so that transient was every worker's peak. Here the tables stay
where NumPy read them, seen through a ``memoryview``, which is indexed like the
``array`` and as fast (it yields Python ints): the same model, one copy.

A model file of another layout (another py3langid) falls back to py3langid's own
loader, with a log line saying why.
"""

from __future__ import annotations

import logging
import lzma
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: The arrays of py3langid's model file (``modelio.save_model``).
_KEYS = frozenset({"ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat"})


def model_path() -> Path:
    """The model file py3langid ships."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    path = Path(MODEL_FILE)
    return path if path.is_absolute() else Path(MODEL_DIR) / path


def load_identifier() -> Any:
    """py3langid's identifier (normalised probabilities) over the shipped model."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    try:
        ptc, pc, classes, nextmove, row, output = read_model(model_path())
    except (OSError, EOFError, ValueError, KeyError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        logger.info("reading py3langid's model with its own loader: %s", exc)
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


def read_model(path: Path) -> tuple[Any, Any, list[str], memoryview, memoryview, list[int]]:
    """``(ptc, pc, classes, nextmove, nextmove_row, out_feat)`` of an npz-in-LZMA model,
    the two DFA tables as memoryviews of the arrays read (no copy)."""
    import numpy as np

    # the npz is read from a file, not from memory: its 70 MB are never resident at once
    with tempfile.TemporaryFile(suffix=".npz") as tmp:
        with lzma.open(path) as src:
            shutil.copyfileobj(src, tmp, length=1 << 20)
        tmp.seek(0)
        with np.load(tmp, allow_pickle=False) as data:
            missing = _KEYS.difference(data.files)
            if missing:
                raise ValueError(f"{path.name} has no {', '.join(sorted(missing))}")
            return (
                data["ptc"],
                data["pc"],
                [str(label) for label in data["classes"].tolist()],
                table(data["nextmove"]),
                table(data["nextmove_row"]),
                [int(n) for n in data["out_feat"].tolist()],
            )


def table(array: Any) -> memoryview:
    """A one-dimensional unsigned integer array as a memoryview that yields ints."""
    import numpy as np

    if array.ndim != 1 or array.dtype.kind != "u" or array.dtype.itemsize not in (2, 4, 8):
        raise ValueError(f"a DFA table of shape {array.shape} and type {array.dtype}")
    view: memoryview = np.ascontiguousarray(array).data  # the buffer itself, no copy
    return view
