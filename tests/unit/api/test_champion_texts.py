"""The champions page speaks Dutch, English and French: every word in every language."""

from __future__ import annotations

import re
from pathlib import Path

from services.api.champions.texts import TEXTS, champion_texts

PAGE = Path("services/api/templates/champions.html").read_text(encoding="utf-8")
SCRIPT = Path("services/api/static/champions.js").read_text(encoding="utf-8")


def test_every_language_has_every_key_with_the_same_placeholders() -> None:
    english = TEXTS["en"]
    for lang in ("nl", "fr"):
        assert set(TEXTS[lang]) == set(english), lang
        for key, text in TEXTS[lang].items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(
                re.findall(r"\{(\w+)\}", english[key])
            ), (lang, key)


def test_french_puts_a_no_break_space_before_high_punctuation() -> None:
    for key, text in TEXTS["fr"].items():
        assert not re.search(r"[^\u00a0][:?!](\s|$)", text), key


def test_the_page_and_script_use_only_known_words() -> None:
    known = set(champion_texts("en"))
    used = set(re.findall(r"t\.(ch_\w+)", PAGE)) | set(re.findall(r"t\.(ch_\w+)", SCRIPT))
    used |= {f"ch_kind_{k}" for k in ("blog_post", "training_given", "other")}
    used |= {f"ch_format_{f}" for f in ("lunch_and_learn", "office_hours", "promptathon")}
    used |= {f"ch_state_{s}" for s in ("pending", "approved", "rejected")}
    used |= {f"ch_trend_{s}" for s in ("growing", "stalling", "steady")}
    assert used <= known, used - known
