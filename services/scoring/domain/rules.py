"""Rule sets as data: the pydantic models an admin's YAML or JSON is validated against.

A rule set never contains code. Every number an admin may tune lives here, and
:func:`parse_rules` turns a document into a :class:`RuleSet` or a list of
problems, each naming the path in the document and what is wrong there.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)

from shared.events import ActivityKind, App, RecognitionKind
from shared.languages import DEFAULT_LANGUAGE, NAMES, Language, Text, in_its_language, longest
from shared.periods import days_after

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Count = Annotated[int, Field(ge=1, le=100_000)]
# A plain string in the rule set's language, or a mapping per language (nl, en, fr).
TITLE_MAX, DESCRIPTION_MAX = 200, 2000  # characters per language
Title = Annotated[Text, AfterValidator(longest(TITLE_MAX))]
Description = Annotated[Text, AfterValidator(longest(DESCRIPTION_MAX))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PointsRules(Strict):
    """Points per signal kind, optionally different per app, and a daily cap per person."""

    per_kind: dict[ActivityKind, Annotated[int, Field(ge=0, le=10_000)]] = {
        ActivityKind.ACTIVE_DAY: 10,
        ActivityKind.PROMPT: 2,
    }
    per_app: dict[App, dict[ActivityKind, Annotated[int, Field(ge=0, le=10_000)]]] = {}
    daily_cap: Annotated[int, Field(ge=1, le=1_000_000)] | None = 60

    def base(self, app: App, kind: ActivityKind) -> int:
        override = self.per_app.get(app, {})
        if kind in override:
            return override[kind]
        return self.per_kind.get(kind, 0)


Points = Annotated[int, Field(ge=0, le=10_000)]


class RecognitionRules(Strict):
    """Points for what Copilot usage does not show: champion events, approved activities,
    stories, kudos received, claim codes and confirmed use cases. Not subject to the daily
    cap. An approved activity is worth what its approver picks, up to ``activity_max``;
    ``activity`` is what the approver is offered."""

    event_attended: Points = 20
    event_hosted: Points = 40
    activity: Points = 50
    activity_max: Points = 100
    story: Points = 25
    kudos: Points = 5
    claim: Points = 30
    use_case: Points = 15

    @model_validator(mode="after")
    def _activity_within_max(self) -> RecognitionRules:
        if self.activity > self.activity_max:
            raise ValueError("activity must not exceed activity_max")
        return self

    def points(self, kind: RecognitionKind) -> int:
        """The points a grant of ``kind`` is worth unless its granter says otherwise."""
        value: int = getattr(self, kind.value)
        return value

    def most(self, kind: RecognitionKind) -> int | None:
        """The most a granter may give for ``kind``: ``activity_max`` for an activity;
        other kinds are bounded only by the event contract."""
        return self.activity_max if kind is RecognitionKind.ACTIVITY else None


class DateRange(Strict):
    start: date
    end: date  # inclusive

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class Bonus(DateRange):
    """A bonus window: points of matching signals are multiplied (Copilot week)."""

    id: Id
    title: Title
    multiplier: Annotated[float, Field(gt=0, le=100)] = 2.0
    apps: list[App] = []  # empty: every app
    kinds: list[ActivityKind] = []  # empty: every kind

    def applies(self, app: App, kind: ActivityKind, day: date) -> bool:
        return (
            self.contains(day)
            and (not self.apps or app in self.apps)
            and (not self.kinds or kind in self.kinds)
        )


class CalendarRules(Strict):
    """Which days are working days: streaks skip the others."""

    country: str | None = "BE"
    subdivision: str | None = None
    workdays: list[Annotated[int, Field(ge=0, le=6)]] = [0, 1, 2, 3, 4]  # Monday is 0
    holidays: list[date] = []  # company days off, on top of the country's


class StreakRules(Strict):
    """Runs of working days: any ``freeze_window`` working days of a run miss at most
    ``freezes`` (see ``calendar._Runs``)."""

    freezes: Annotated[int, Field(ge=0, le=10)] = 1
    freeze_window: Annotated[int, Field(ge=1, le=100)] = 10  # working days a freeze covers


class FirstUseBadge(Strict):
    type: Literal["first_use"]
    id: Id
    title: Title
    app: App


class ExplorerBadge(Strict):
    type: Literal["explorer"]
    id: Id
    title: Title
    apps: Annotated[int, Field(ge=2, le=len(App))]


class StreakBadge(Strict):
    type: Literal["streak"]
    id: Id
    title: Title
    days: Count


class HabitBadge(Strict):
    type: Literal["habit"]
    id: Id
    title: Title
    days: Count = 12
    window: Count = 28

    @model_validator(mode="after")
    def _fits(self) -> HabitBadge:
        if self.days > self.window:
            raise ValueError("days must not exceed window")
        return self


class MilestoneBadge(Strict):
    type: Literal["milestone"]
    id: Id
    title: Title
    metric: Literal["prompts", "active_days", "points"]
    count: Count


Badge = Annotated[
    FirstUseBadge | ExplorerBadge | StreakBadge | HabitBadge | MilestoneBadge,
    Field(discriminator="type"),
]


class Level(Strict):
    level: Annotated[int, Field(ge=1, le=1000)]
    title: Title
    points: Annotated[int, Field(ge=0)]


class Tier(Strict):
    """A usage segment after Microsoft's: the first tier whose conditions hold applies."""

    id: Id
    title: Title
    min_active_weeks: Annotated[int, Field(ge=0)] = 0
    min_weekly_actions: Annotated[float, Field(ge=0)] = 0
    min_actions: Annotated[int, Field(ge=0)] = 0


def default_tiers() -> list[Tier]:
    # Built while a rule set is read, so the texts take that rule set's language.
    return [
        Tier(
            id="power",
            title=Text.of(nl="Poweruser", en="Power user", fr="Utilisateur expert"),
            min_active_weeks=9,
            min_weekly_actions=15,
        ),
        Tier(
            id="habitual",
            title=Text.of(nl="Vaste gebruiker", en="Habitual user", fr="Utilisateur régulier"),
            min_active_weeks=9,
        ),
        Tier(
            id="novice",
            title=Text.of(nl="Beginner", en="Novice user", fr="Utilisateur débutant"),
            min_weekly_actions=1,
        ),
        Tier(
            id="low",
            title=Text.of(nl="Occasionele gebruiker", en="Low user", fr="Utilisateur occasionnel"),
            min_actions=1,
        ),
    ]


class TierRules(Strict):
    weeks: Annotated[int, Field(ge=1, le=52)] = 12
    tiers: list[Tier] = Field(default_factory=default_tiers)
    fallback: Title = Field(
        default_factory=lambda: Text.of(
            nl="Nog geen gebruiker", en="Non-user", fr="Pas encore utilisateur"
        )
    )


class Challenge(DateRange):
    """A time-boxed contest; team and department values are per licensed member."""

    id: Id
    title: Title
    scope: Literal["person", "team", "department"] = "team"
    metric: Literal["points", "active_days", "distinct_apps", "active_rate"] = "points"
    min_size: Annotated[int, Field(ge=1)] = 5
    winners: Annotated[int, Field(ge=1, le=100)] = 3
    # Days after the last one before winners are decided: usage reports revalidate the
    # last three days, so a result decided at once could miss activity still arriving.
    settle_days: Annotated[int, Field(ge=0, le=30)] = 3

    def decided_on(self) -> date:
        """The first day on which the winners are decided."""
        return days_after(self.end, self.settle_days + 1)  # never past 9999-12-31

    @model_validator(mode="after")
    def _rate_is_for_groups(self) -> Challenge:
        if self.metric == "active_rate" and self.scope == "person":
            raise ValueError("active_rate needs a team or department scope")
        return self


class Season(DateRange):
    id: Id
    title: Title


class RuleSet(Strict):
    """One version of the game's rules."""

    name: str = "Uptake"
    # The language plain-string texts are written in, and which fills another language's gap.
    language: Language = DEFAULT_LANGUAGE
    description: Description = Text.plain("")
    points: PointsRules = PointsRules()
    bonuses: list[Bonus] = []
    calendar: CalendarRules = CalendarRules()
    streak: StreakRules = StreakRules()
    badges: list[Badge] = []
    levels: Annotated[list[Level], Field(min_length=1)] = Field(
        default_factory=lambda: [
            Level(level=1, title=Text.of(nl="Starter", en="Starter", fr="Débutant"), points=0)
        ]
    )
    tiers: TierRules = Field(default_factory=TierRules)
    challenges: list[Challenge] = []
    seasons: list[Season] = []
    recognition: RecognitionRules = RecognitionRules()

    @model_validator(mode="wrap")
    @classmethod
    def _texts_in_its_language(
        cls, data: Any, handler: ModelWrapValidatorHandler[RuleSet]
    ) -> RuleSet:
        return in_its_language(data, handler)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        problems = _cross_checks(self)
        if problems:
            raise ValueError("; ".join(f"{p.path}: {p.message}" for p in problems))
        return self

    def multiplier(self, app: App, kind: ActivityKind, day: date) -> tuple[float, list[str]]:
        factor, applied = 1.0, []
        for bonus in self.bonuses:
            if bonus.applies(app, kind, day):
                factor *= bonus.multiplier
                applied.append(bonus.id)
        return factor, applied

    def seasons_of(self, day: date) -> list[Season]:
        return [season for season in self.seasons if season.contains(day)]

    def level_for(self, points: int) -> Level:
        reached = [level for level in self.levels if level.points <= points]
        return max(reached, key=lambda level: level.points) if reached else self.levels[0]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RuleSetError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _unique(items: list[Any], path: str, attr: str = "id") -> list[Problem]:
    seen: set[object] = set()
    problems = []
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            problems.append(Problem(f"{path}.{index}.{attr}", f"duplicate {attr} {value!r}"))
        seen.add(value)
    return problems


def _cross_checks(rules: RuleSet) -> list[Problem]:
    problems = [
        *_unique(rules.bonuses, "bonuses"),
        *_unique(rules.badges, "badges"),
        *_unique(rules.challenges, "challenges"),
        *_unique(rules.seasons, "seasons"),
        *_unique(rules.levels, "levels", "level"),
        *_unique(rules.levels, "levels", "points"),
        *_unique(rules.tiers.tiers, "tiers.tiers"),
    ]
    if min(level.points for level in rules.levels) != 0:
        problems.append(Problem("levels", "one level must start at 0 points"))
    ordered = sorted(rules.seasons, key=lambda s: s.start)
    for before, after in itertools.pairwise(ordered):
        if after.start <= before.end:
            problems.append(Problem("seasons", f"{before.id!r} and {after.id!r} overlap"))
    if rules.calendar.country:
        import holidays

        if rules.calendar.country not in holidays.list_supported_countries():
            problems.append(Problem("calendar.country", "unknown country code"))
    return problems


def _texts(node: object, path: str) -> Iterator[tuple[str, Text]]:
    if isinstance(node, Text):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _texts(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, f"{path}.{index}")


def language_gaps(rules: RuleSet) -> list[Problem]:
    """Warnings, not errors: texts missing in a language, and what is shown instead."""
    gaps = []
    for path, text in _texts(rules, ""):
        missing = text.missing()
        if not text or not missing:
            continue
        shown = next(lang for lang, value in text.texts.items() if value == text)
        names = " or ".join(NAMES[language] for language in missing)
        gaps.append(Problem(path, f"no {names} text; the {NAMES[shown]} one is shown instead"))
    return gaps


def _path(loc: tuple[int | str, ...]) -> str:
    # Drop the discriminator tags pydantic inserts into union paths.
    parts = [
        str(part)
        for part in loc
        if part not in {"first_use", "explorer", "streak", "habit", "milestone"}
    ]
    return ".".join(parts) or "(document)"


def validate_rules(document: Any) -> RuleSet:
    """Validate a parsed document; raises :class:`RuleSetError` listing every problem."""
    if not isinstance(document, dict):
        raise RuleSetError([Problem("(document)", "a rule set must be a mapping")])
    try:
        return RuleSet.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "value_error" and ": " in message and not error["loc"]:
                for part in message.split("; "):
                    path, _, text = part.partition(": ")
                    problems.append(Problem(path, text))
                continue
            problems.append(Problem(_path(tuple(error["loc"])), message))
        raise RuleSetError(problems) from None


def parse_rules(text: str) -> RuleSet:
    """Parse YAML (JSON is YAML too) safely and validate it."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        raise RuleSetError([Problem(where, f"not valid YAML or JSON: {exc}")]) from None
    return validate_rules(document)


def dump_rules(rules: RuleSet) -> str:
    """The canonical JSON text of a rule set, as stored with its version."""
    return json.dumps(rules.model_dump(mode="json"), sort_keys=True, indent=2)
