"""py3langid's model loaded without its second copy (pipelines/extraction/langmodel.py):
the same answers as py3langid's own loader, one copy of the DFA tables, and py3langid's
loader again when the model file is not of the layout read here."""

from __future__ import annotations

import io
import logging
import lzma
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_language import ENGLISH, FRENCH, GERMAN

from pipelines.extraction import langmodel

SAMPLES = [
    GERMAN,
    FRENCH,
    ENGLISH,
    "El consejo decidió el martes por la noche que el faro del puerto seguirá encendido.",
    "Городской совет во вторник вечером решил, что маяк в порту будет гореть ещё десять лет.",
    "港口的灯塔将再亮十年，市议会在周二晚上经过长时间辩论后作出了这一决定。",
    "市議会は火曜日の夜、港の灯台をさらに十年間点灯し続けることを決めた。",
    "قرر المجلس البلدي مساء الثلاثاء أن منارة الميناء ستبقى مضاءة عشر سنوات أخرى.",
    "2024-06-14 12:00 +++ 555-0100 +++ 42",
    "",
]


@pytest.fixture(scope="module")
def stock() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.fixture(scope="module")
def ours() -> Any:
    return langmodel.load_identifier()


@pytest.mark.parametrize("text", SAMPLES)
def test_the_same_answer_as_py3langids_own_loader(stock: Any, ours: Any, text: str) -> None:
    assert ours.classify(text) == stock.classify(text)
    assert ours.rank(text) == stock.rank(text)


def test_the_dfa_tables_are_the_arrays_read_not_copies(ours: Any) -> None:
    for name in ("tk_nextmove", "tk_row"):
        view = getattr(ours, name)
        assert isinstance(view, memoryview)
        assert isinstance(view.obj, np.ndarray)  # a view of NumPy's array, no array.array
        assert isinstance(view[len(view) - 1], int)
    assert len(ours.tk_nextmove) == 256 * (max(ours.tk_row) + 1)  # a 256-entry row each


def write_model(path: Path, arrays: dict[str, Any]) -> Path:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(lzma.compress(buffer.getvalue()))
    return path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-xz.npz.xz", b"this is no model"),
        ("empty.npz.xz", b""),
        ("not-npz.npz.xz", lzma.compress(b"PK but no zip")),
        ("truncated.npz.xz", None),  # the shipped model's first 4 KiB
    ],
    ids=["not-xz", "empty", "not-npz", "truncated"],
)
def test_a_model_it_cannot_read_goes_to_py3langids_loader(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    stock: Any,
    name: str,
    content: bytes | None,
) -> None:
    if content is None:
        content = langmodel.model_path().read_bytes()[:4096]
    (tmp_path / name).write_bytes(content)
    monkeypatch.setattr(langmodel, "model_path", lambda: tmp_path / name)
    with caplog.at_level(logging.INFO, logger="pipelines.extraction.langmodel"):
        identifier = langmodel.load_identifier()
    assert "its own loader" in caplog.text
    assert not isinstance(identifier.tk_nextmove, memoryview)  # py3langid's array.array
    assert identifier.classify(GERMAN) == stock.classify(GERMAN)


def test_a_model_of_another_layout_is_named_and_refused(tmp_path: Path) -> None:
    path = write_model(tmp_path / "old.npz.xz", {"ptc": np.zeros((2, 2)), "pc": np.zeros(2)})
    with pytest.raises(ValueError, match="has no classes, nextmove, nextmove_row, out_feat"):
        langmodel.read_model(path)


@pytest.mark.parametrize(
    "array",
    [
        np.zeros((4, 256), dtype=np.uint16),  # two dimensions
        np.zeros(8, dtype=np.int32),  # signed
        np.zeros(8, dtype=np.float32),
        np.zeros(8, dtype=np.uint8),  # no table of the model is bytes
    ],
    ids=["2d", "signed", "float", "uint8"],
)
def test_a_table_of_another_shape_or_type_is_refused(array: Any) -> None:
    with pytest.raises(ValueError, match="a DFA table"):
        langmodel.table(array)


@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.uint64])
def test_a_table_yields_ints_of_its_values(dtype: Any) -> None:
    values = np.array([0, 7, 65_535], dtype=dtype)
    view = langmodel.table(values)
    assert [view[i] for i in range(3)] == [0, 7, 65_535]
    assert all(type(view[i]) is int for i in range(3))
