"""The community's pure pieces: claim codes, the built-in library, its words, names."""

from __future__ import annotations

import re
import string
from collections import Counter

import pytest

from services.api.community import claims
from services.api.community.library import FUNCTIONS, UseCase, built_in
from services.api.community.names import label
from services.api.community.suggestions import one_app_at_a_time
from services.api.community.texts import TEXTS
from services.api.directory import Snapshot
from shared.events import App
from shared.languages import LANGUAGES

KEY = "a-test-key-that-is-long-enough-for-codes"


def test_codes_are_stable_distinct_and_readable() -> None:
    codes = [claims.code_for(KEY, "batch-1", n) for n in range(1000)]
    assert len(set(codes)) == 1000
    assert codes == [claims.code_for(KEY, "batch-1", n) for n in range(1000)]
    assert all(
        re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", c) for c in codes
    )
    assert claims.code_for(KEY, "batch-2", 0) != codes[0]
    assert claims.code_for("another-key-that-is-long-enough-too", "batch-1", 0) != codes[0]


def test_a_code_is_found_however_it_is_typed_but_only_by_its_hash() -> None:
    code = claims.code_for(KEY, "batch-1", 7)
    stored = claims.hash_of(KEY, code)
    for typed in (code, code.lower(), code.replace("-", " "), f"  {code.replace('-', '')} "):
        assert claims.hash_of(KEY, typed) == stored
    assert claims.normalise(code) not in stored
    assert claims.hash_of("another-key-that-is-long-enough-too", code) != stored


def test_the_built_in_library_is_practical_and_complete() -> None:
    library = built_in()
    assert 10 <= len(library) <= 15
    ids = [use_case for use_case, _ in library]
    assert len(set(ids)) == len(ids)
    apps = Counter(content.app for _, content in library)
    assert set(apps) >= {App.TEAMS, App.OUTLOOK, App.CHAT, App.EXCEL, App.WORD}
    assert set(apps) >= {App.POWERPOINT, App.ONENOTE, App.LOOP}
    for _, content in library:
        assert content.function in FUNCTIONS
        for language in LANGUAGES:
            assert content.title.get(language) and content.kpi.get(language)
            assert content.prompts.get(language)
        assert len({content.title.get(language) for language in LANGUAGES}) == 3


@pytest.mark.parametrize("language", ["fr"])
def test_french_puts_a_no_break_space_before_double_punctuation(language: str) -> None:
    for _, content in built_in():
        texts = [
            content.title.fr,
            content.description.fr,
            content.kpi.fr,
            *content.prompts.fr,
        ]
        for text in texts:
            assert not re.search(r" [?!:;]", text), text
    for text in TEXTS[language].values():
        assert not re.search(r" [?!:;]", text), text


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_word_of_the_page_is_there_in_every_language_with_the_same_blanks() -> None:
    assert set(TEXTS) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(TEXTS[lang]) == set(TEXTS["en"]), lang
        for key, text in TEXTS[lang].items():
            assert fields(text) == fields(TEXTS["en"][key]), (lang, key)
            assert key.startswith("c_")


def test_suggestions_take_one_app_at_a_time() -> None:
    rows = [
        UseCase(id=f"{app}-{n}", app=app, content={})
        for app, n in [
            ("teams", 1),
            ("teams", 2),
            ("excel", 1),
            ("teams", 3),
            ("word", 1),
            ("excel", 2),
        ]
    ]
    assert [row.id for row in one_app_at_a_time(rows)] == [
        "teams-1",
        "excel-1",
        "word-1",
        "teams-2",
        "excel-2",
        "teams-3",
    ]


def test_a_colleague_is_named_only_as_boards_would_and_small_departments_stay_unsaid() -> None:
    snapshot = Snapshot(
        department_sizes={"Sales": 6, "Legal": 2},
        names={"p-ann": "Ann"},
        placed={"p-ann": ("A", "Sales"), "p-bob": ("B", "Sales"), "p-cas": ("C", "Legal")},
    )
    assert label(snapshot, "p-ann", 5).model_dump() == {"name": "Ann", "department": "Sales"}
    assert label(snapshot, "p-bob", 5).model_dump() == {"name": None, "department": "Sales"}
    assert label(snapshot, "p-cas", 5).model_dump() == {"name": None, "department": None}
    assert label(snapshot, "p-gone", 5).model_dump() == {"name": None, "department": None}
