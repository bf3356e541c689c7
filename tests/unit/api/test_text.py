"""Caller text: labels stay on one line, documents keep newlines but never NUL."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from services.api.text import Document, OneLine


class Form(BaseModel):
    label: OneLine
    source: Document


def test_ordinary_text_passes_unchanged() -> None:
    form = Form(label="Lobby Gent, 2de verdieping", source="points:\n  daily_cap: 60\n")
    assert form.label == "Lobby Gent, 2de verdieping"
    assert form.source.endswith("60\n")


@pytest.mark.parametrize("label", ["lob\x00by", "two\nlines", "tab\there", "bell\x07", "del\x7f"])
def test_control_characters_in_a_label_are_refused_by_name(label: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Form(label=label, source="x")
    [error] = refused.value.errors()
    assert error["loc"] == ("label",)
    assert "control characters" in error["msg"]


def test_nul_in_a_document_is_refused() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        Form(label="ok", source="points:\x00")
