"""Admin: rule sets through scoring's rule administration (validate, preview, publish).

Besides the YAML endpoints, the rules editor's forms read the rule set in force as JSON
with the values the model allows (``GET /model``), and turn an edited model into the
YAML that is stored (``POST /to-yaml``) or a YAML draft back into a model
(``POST /from-yaml``): the stored source stays a document a person can read.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, get_args

import yaml
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from services.api.deps import AdminDep, ResourcesDep
from services.api.resources import Resources
from services.api.schemas import errors
from services.api.text import Document, OneLine
from services.scoring import admin as rules_admin
from services.scoring.domain.rules import (
    Badge,
    Bonus,
    Challenge,
    MilestoneBadge,
    Problem,
    RecognitionRules,
    RuleSet,
    RuleSetError,
    language_gaps,
    parse_rules,
)
from services.scoring.domain.rules import (
    validate_rules as validate_document,
)
from services.scoring.rulebook import default_source
from shared.events import ActivityKind, App
from shared.languages import LANGUAGES
from shared.logs import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/api/admin/rules", tags=["admin"], responses=errors(400, 401, 403, 413))

MAX_SOURCE = 60_000


class RulesSource(BaseModel):
    source: Document = Field(min_length=1, max_length=MAX_SOURCE, description="YAML or JSON")


class PublishRequest(RulesSource):
    note: OneLine | None = Field(default=None, max_length=500)


class RollbackRequest(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1)


class ProblemView(BaseModel):
    path: str
    message: str


class ValidationView(BaseModel):
    ok: bool
    problems: list[ProblemView]
    warnings: list[ProblemView] = Field(
        default=[], description="Texts missing in a language: shown in the rule set's language"
    )


class PersonChangeView(BaseModel):
    person: str = Field(description="Pseudonymous id")
    name: str | None = Field(
        default=None, description="The person's name, only where the directory allows it"
    )
    points_before: int
    points_after: int
    rank_before: int | None
    rank_after: int | None
    badges_gained: list[str]
    badges_lost: list[str]


class PreviewView(BaseModel):
    based_on: int | None
    people: int
    gainers: int
    losers: int
    points_before: int
    points_after: int
    badges_gained: int
    badges_lost: int
    changes: list[PersonChangeView]
    warnings: list[ProblemView] = Field(
        default=[], description="Texts missing in a language: shown in the rule set's language"
    )


class VersionView(BaseModel):
    version: int
    name: str
    created_at: datetime
    created_by: str | None
    published_at: datetime | None
    published_by: str | None
    note: str | None
    active: bool
    source: str


class Published(BaseModel):
    version: int


def _invalid(problems: list[Problem]) -> HTTPException:
    return HTTPException(
        422,
        [{"loc": ["body", "source", p.path], "msg": p.message, "type": "rules"} for p in problems],
    )


def _jetstream(resources: Resources) -> object | None:
    client = resources.bus.client
    return client.jetstream() if client is not None and client.is_connected else None


@router.get("", response_model=VersionView, responses=errors(404))
async def current_rules(resources: ResourcesDep, _: AdminDep) -> VersionView:
    """The rule set in force, with its source as the admin wrote it."""
    for version in await rules_admin.history(resources.engine):
        if version.active:
            return VersionView(**asdict(version))
    raise HTTPException(404, "no rule set is published yet")


@router.get("/history", response_model=list[VersionView])
async def rules_history(resources: ResourcesDep, _: AdminDep) -> list[VersionView]:
    """Every stored rule-set version, newest first."""
    return [VersionView(**asdict(v)) for v in await rules_admin.history(resources.engine)]


@router.post("/validate", response_model=ValidationView)
async def validate_rules(body: RulesSource, _: AdminDep) -> ValidationView:
    """Check a draft; problems come with the path of what is wrong, warnings with the
    path of a text missing in a language (not an error: the rule set's language stands in)."""
    result = rules_admin.validate(body.source)
    return ValidationView(
        ok=result.ok,
        problems=[ProblemView(path=p.path, message=p.message) for p in result.problems],
        warnings=[ProblemView(path=p.path, message=p.message) for p in result.warnings],
    )


@router.post(
    "/preview", response_model=PreviewView, responses={422: {"description": "Invalid rules"}}
)
async def preview_rules(body: RulesSource, resources: ResourcesDep, _: AdminDep) -> PreviewView:
    """Replay the stored signals under a draft: who gains and who loses (and the warnings)."""
    settings = resources.settings
    try:
        async with resources.replays:
            preview = await rules_admin.preview(
                resources.engine,
                body.source,
                settings.tz,
                max_signals=settings.api_replay_max_signals,
            )
    except rules_admin.RuleSetError as exc:
        raise _invalid(exc.problems) from exc
    view = PreviewView.model_validate(asdict(preview))
    directory = await resources.directory.snapshot()
    for change in view.changes:
        change.name = directory.name_of(change.person)  # as boards name people: opted in
    return view


@router.post(
    "",
    response_model=Published,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "Invalid rules"}},
)
async def publish_rules(
    body: PublishRequest, resources: ResourcesDep, admin: AdminDep
) -> Published:
    """Publish a rule set: stored, replayed into the ledger and put in force at once."""
    try:
        async with resources.replays:
            version = await rules_admin.publish(
                resources.engine,
                _jetstream(resources),  # type: ignore[arg-type]
                body.source,
                resources.settings.tz,
                by=admin.label or None,
                note=body.note,
                max_signals=resources.settings.api_replay_max_signals,
            )
    except rules_admin.RuleSetError as exc:
        raise _invalid(exc.problems) from exc
    resources.published.invalidate()
    log.info("rules published", version=version)
    return Published(version=version)


@router.post(
    "/rollback",
    response_model=Published,
    status_code=status.HTTP_201_CREATED,
    responses=errors(404),
)
async def rollback_rules(
    body: RollbackRequest, resources: ResourcesDep, admin: AdminDep
) -> Published:
    """Put an earlier version back in force, as a new version."""
    try:
        async with resources.replays:
            version = await rules_admin.rollback(
                resources.engine,
                _jetstream(resources),  # type: ignore[arg-type]
                body.version,
                resources.settings.tz,
                by=admin.label or None,
                max_signals=resources.settings.api_replay_max_signals,
            )
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    resources.published.invalidate()
    return Published(version=version)


# The rules editor's forms.


class Bounds(BaseModel):
    """The numbers a field accepts, as the rule model declares them."""

    min: float | None = None
    max: float | None = None
    above: float | None = Field(default=None, description="Exclusive lower bound")


class ChoicesView(BaseModel):
    """The values the rule model allows where a field picks one (or several)."""

    languages: list[str]
    apps: list[str]
    kinds: list[str]
    badge_types: list[str]
    badge_fields: dict[str, list[str]] = Field(
        description="Per badge type, its fields besides type, id and title"
    )
    milestone_metrics: list[str]
    challenge_scopes: list[str]
    challenge_metrics: list[str]
    recognition: list[str] = Field(description="The recognition fields, in order")
    badge_models: dict[str, str] = Field(
        description="Per badge type, the section its limits are listed under"
    )


class RulesModelView(BaseModel):
    version: int | None = Field(description="The version in force; null before the first")
    source: str = Field(description="The source in force (the default rules before the first)")
    model: dict[str, Any] = Field(description="The rule set as JSON, every default filled in")
    choices: ChoicesView
    limits: dict[str, Bounds] = Field(description="Per 'Section.field' of the rule model")
    defaults: dict[str, dict[str, Any]] = Field(
        description="What a new bonus, challenge or badge (badge_<type>) starts with"
    )
    id_pattern: str


class DraftModel(BaseModel):
    model: dict[str, Any] = Field(description="A rule set as JSON, as the forms edited it")


class DraftSourceView(BaseModel):
    ok: bool
    source: str = Field(description="YAML of the draft: normalised when valid, as sent if not")
    problems: list[ProblemView]
    warnings: list[ProblemView] = []


class DraftModelView(BaseModel):
    ok: bool
    model: dict[str, Any] | None = Field(description="The draft as JSON; null when invalid")
    problems: list[ProblemView]
    warnings: list[ProblemView] = []


YAML_HEAD = (
    "# Rule set written by the rules editor. Comments of earlier versions are not kept:\n"
    "# every value is written out, defaults included.\n"
)


def _literals(model: type[BaseModel], name: str) -> list[str]:
    return [str(value) for value in get_args(model.model_fields[name].annotation)]


def _badge_kinds() -> list[type[BaseModel]]:
    union = get_args(Badge)[0]  # Annotated[Union[...], discriminator]
    return [kind for kind in get_args(union) if isinstance(kind, type)]


def choices() -> ChoicesView:
    badges = _badge_kinds()
    fixed = {"type", "id", "title"}
    return ChoicesView(
        languages=list(LANGUAGES),
        apps=[app.value for app in App],
        kinds=[kind.value for kind in ActivityKind],
        badge_types=[_literals(kind, "type")[0] for kind in badges],
        badge_fields={
            _literals(kind, "type")[0]: [f for f in kind.model_fields if f not in fixed]
            for kind in badges
        },
        milestone_metrics=_literals(MilestoneBadge, "metric"),
        challenge_scopes=_literals(Challenge, "scope"),
        challenge_metrics=_literals(Challenge, "metric"),
        recognition=list(RecognitionRules.model_fields),
        badge_models={_literals(kind, "type")[0]: kind.__name__ for kind in badges},
    )


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if not field.is_required()
    }


def defaults() -> dict[str, dict[str, Any]]:
    """What a new bonus, challenge or badge starts with: the model's defaults."""
    found = {"bonus": _defaults(Bonus), "challenge": _defaults(Challenge)}
    for kind in _badge_kinds():
        found[f"badge_{_literals(kind, 'type')[0]}"] = _defaults(kind)
    return found


def _bounds_of(schema: dict[str, Any]) -> Bounds | None:
    """Bounds of a number field; of its values for a mapping, of the number for an optional."""
    for option in schema.get("anyOf", []):
        found = _bounds_of(option)
        if found is not None:
            return found
    values = schema.get("additionalProperties")
    if isinstance(values, dict):
        return _bounds_of(values)
    if schema.get("type") not in {"integer", "number"}:
        return None
    return Bounds(
        min=schema.get("minimum"), max=schema.get("maximum"), above=schema.get("exclusiveMinimum")
    )


def limits() -> dict[str, Bounds]:
    found: dict[str, Bounds] = {}
    for section, schema in RuleSet.model_json_schema()["$defs"].items():
        for name, field in schema.get("properties", {}).items():
            bounds = _bounds_of(field)
            if bounds is not None:
                found[f"{section}.{name}"] = bounds
    return found


def as_model(rules: RuleSet) -> dict[str, Any]:
    dumped: dict[str, Any] = rules.model_dump(mode="json")
    return dumped


FIRST_KEYS = ("id", "type", "level", "title")  # what names an item, before its settings


def _readable(node: Any, key: str | None = None) -> Any:
    """Items named first, dates as YAML dates (unquoted), the rest as it is."""
    if isinstance(node, dict):
        keys = sorted(node, key=lambda k: FIRST_KEYS.index(k) if k in FIRST_KEYS else 99)
        return {k: _readable(node[k], k) for k in keys}
    if isinstance(node, list):
        return [_readable(item, key) for item in node]
    if isinstance(node, str) and key in {"start", "end", "holidays"}:
        try:
            return date.fromisoformat(node)
        except ValueError:
            return node
    return node


LONG_TEXT = 80


class _Dumper(yaml.SafeDumper):
    """Long texts as (folded) blocks; short lists of plain values on one line."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    lines = "\n" in value.rstrip("\n")
    style = "|" if lines else ">" if len(value) > LONG_TEXT else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flat = all(not isinstance(item, dict | list) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def as_yaml(document: dict[str, Any]) -> str:
    body = yaml.dump(
        _readable(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return YAML_HEAD + body


def _views(problems: list[Problem]) -> list[ProblemView]:
    return [ProblemView(path=p.path, message=p.message) for p in problems]


@router.get("/model", response_model=RulesModelView)
async def rules_model(resources: ResourcesDep, _: AdminDep) -> RulesModelView:
    """The rule set in force as JSON for the forms, with the values each field allows."""
    active = next((v for v in await rules_admin.history(resources.engine) if v.active), None)
    source = active.source if active is not None else default_source()
    return RulesModelView(
        version=active.version if active is not None else None,
        source=source,
        model=as_model(parse_rules(source)),
        choices=choices(),
        limits=limits(),
        defaults=defaults(),
        id_pattern=str(Challenge.model_json_schema()["properties"]["id"]["pattern"]),
    )


@router.post("/to-yaml", response_model=DraftSourceView)
async def model_to_yaml(body: DraftModel, _: AdminDep) -> DraftSourceView:
    """The YAML to store for a model edited in the forms, and its problems and warnings.

    An invalid draft comes back as sent (in YAML) with its problems, so no edit is lost."""
    try:
        rules = validate_document(body.model)
    except RuleSetError as exc:
        return DraftSourceView(ok=False, source=as_yaml(body.model), problems=_views(exc.problems))
    source = as_yaml(as_model(rules))
    if len(source) > MAX_SOURCE:
        problem = Problem("(document)", f"the rule set is longer than {MAX_SOURCE} characters")
        return DraftSourceView(ok=False, source=source, problems=_views([problem]))
    return DraftSourceView(
        ok=True, source=source, problems=[], warnings=_views(language_gaps(rules))
    )


@router.post("/from-yaml", response_model=DraftModelView)
async def yaml_to_model(body: RulesSource, _: AdminDep) -> DraftModelView:
    """A YAML (or JSON) draft as the forms' model, or its problems when it does not hold."""
    result = rules_admin.validate(body.source)
    if result.rules is None:
        return DraftModelView(ok=False, model=None, problems=_views(result.problems))
    return DraftModelView(
        ok=True, model=as_model(result.rules), problems=[], warnings=_views(result.warnings)
    )
