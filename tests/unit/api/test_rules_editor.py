"""The rules editor's pieces without a gateway: the YAML the forms' model becomes reads back
as the same rules whatever the texts hold, the choices and limits come from the rule model,
and every word the editor's scripts use exists in every language."""

from __future__ import annotations

import re
import string
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.i18n import page_texts
from services.api.routers.admin_rules import as_model, as_yaml, choices, defaults, limits
from services.api.rules_editor_texts import RULES_EDITOR_TEXTS, rules_editor_texts
from services.scoring.domain.rules import Challenge, RuleSet, parse_rules
from services.scoring.rulebook import default_source
from shared.events import App
from shared.languages import LANGUAGES

STATIC = Path(__file__).parents[3] / "services" / "api" / "static"
SCRIPTS = ["rules-forms.js", "rules-checks.js", "rules-preview.js", "rules-editor.js"]

# Texts as admins type them: accents, colons, quotes, hashes, leading dashes, line breaks.
texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029"
    )
    | st.sampled_from([":", "#", "'", '"', "-", " ", "\n", "é", "ë", "\u00a0", "{", "[", "&", "*"]),
    min_size=1,
    max_size=60,
).filter(lambda text: text.strip() != "")
METRICS = get_args(Challenge.model_fields["metric"].annotation)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def challenges(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for n in range(draw(st.integers(0, 4))):
        start = draw(days)
        found.append(
            {
                "id": f"challenge-{n}",
                "title": draw(st.dictionaries(st.sampled_from(LANGUAGES), texts, min_size=1)),
                "scope": draw(st.sampled_from(["team", "department"])),
                "metric": draw(
                    st.sampled_from(get_args(Challenge.model_fields["metric"].annotation))
                ),
                "start": start.isoformat(),
                "end": (start + timedelta(days=draw(st.integers(0, 60)))).isoformat(),
                "winners": draw(st.integers(1, 100)),
                "min_size": draw(st.integers(1, 50)),
            }
        )
    return found


@settings(max_examples=60, deadline=None)
@given(challenges(), texts, st.one_of(st.none(), st.integers(1, 1_000_000)))
def test_the_yaml_written_from_a_model_reads_back_as_the_same_rules(
    drafted: list[dict[str, Any]], name: str, cap: int | None
) -> None:
    model = as_model(parse_rules(default_source()))
    model["challenges"] = drafted
    model["name"] = name
    model["points"]["daily_cap"] = cap
    rules = RuleSet.model_validate(model)

    written = as_yaml(as_model(rules))

    assert parse_rules(written) == rules
    assert written.startswith("# ")  # says comments are not kept


def test_the_default_rules_survive_the_forms_unchanged() -> None:
    rules = parse_rules(default_source())
    written = as_yaml(as_model(rules))
    assert parse_rules(written) == rules
    assert "start: 2026-12-01" in written  # dates stay dates, unquoted
    assert "apps: [outlook]" in written  # short lists stay on one line
    document = yaml.safe_load(written)
    assert next(iter(document["challenges"][0])) == "id"  # an item is named first


def test_choices_limits_and_defaults_come_from_the_rule_model() -> None:
    allowed = choices()
    assert allowed.apps == [app.value for app in App]
    assert allowed.challenge_scopes == ["person", "team", "department"]
    assert allowed.badge_fields["habit"] == ["days", "window"]
    assert allowed.badge_models["milestone"] == "MilestoneBadge"
    bounds = limits()
    assert (bounds["Challenge.winners"].min, bounds["Challenge.winners"].max) == (1, 100)
    assert bounds["PointsRules.per_kind"].max == 10_000
    assert bounds["Bonus.multiplier"].above == 0
    assert defaults()["challenge"]["scope"] == "team"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_editor_word_is_there_in_every_language() -> None:
    assert set(RULES_EDITOR_TEXTS) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert set(RULES_EDITOR_TEXTS[lang]) == set(RULES_EDITOR_TEXTS["en"]), lang
        for key, text in RULES_EDITOR_TEXTS[lang].items():
            assert fields(text) == fields(RULES_EDITOR_TEXTS["en"][key]), (lang, key)
    for key, text in RULES_EDITOR_TEXTS["fr"].items():
        assert not re.search(r"[^\u00a0][:!?](\s|$)", text), key  # a no-break space before


def test_the_scripts_use_only_words_the_page_has() -> None:
    words = page_texts("en") | rules_editor_texts("en")
    for script in SCRIPTS:
        used = set(re.findall(r"\bt\.([a-z_]+)", (STATIC / script).read_text()))
        assert used <= set(words), (script, used - set(words))
    allowed = choices()
    labelled = {
        "app_": allowed.apps,
        "kind_": allowed.kinds,
        "badge_": allowed.badge_types,
        "scope_": allowed.challenge_scopes,
        "metric_": allowed.challenge_metrics,
        "milestone_": allowed.milestone_metrics,
        "rec_": allowed.recognition,
        "lang_": allowed.languages,
    }
    for prefix, values in labelled.items():
        for value in values:
            assert f"{prefix}{value}" in words, f"{prefix}{value}"
    for badge, names in allowed.badge_fields.items():
        for name in names:
            assert f"f_{badge}_{name}" in words or name in {"app", "metric"}, (badge, name)
