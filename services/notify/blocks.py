"""The Adaptive Card elements the cards are built of (all within the 1.5 schema)."""

from __future__ import annotations

from typing import Any


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def paragraph(text: str, *, subtle: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def fact_set(title: str | None, rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    facts = {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in rows]}
    if title is None:
        return [facts]
    caption = {"type": "TextBlock", "text": title, "weight": "Bolder", "spacing": "Medium"}
    return [caption | {"wrap": True}, facts]
