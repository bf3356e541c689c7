"""The Teams pages' words exist in Dutch, English and French, with the same placeholders."""

from __future__ import annotations

import re

import pytest

from services.api.teams_texts import CONFIG_TEXTS, GROUP_TEXTS

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("table", [CONFIG_TEXTS, GROUP_TEXTS], ids=["config", "group"])
def test_every_word_is_in_every_language_with_the_same_placeholders(
    table: dict[str, dict[str, str]],
) -> None:
    assert set(table) == {"nl", "en", "fr"}
    keys = set(table["en"])
    for lang, words in table.items():
        assert set(words) == keys, lang
        for key, text in words.items():
            assert text.strip(), (lang, key)
            wanted = set(PLACEHOLDER.findall(table["en"][key]))
            assert set(PLACEHOLDER.findall(text)) == wanted, (lang, key)
        if lang == "fr":  # Belgian French: a no-break space before : ? !
            assert not re.search(r" [:?!]", " ".join(words.values())), words
