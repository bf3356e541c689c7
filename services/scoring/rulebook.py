"""The rules in force, cached by version and re-read whenever a newer version is published."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from services.scoring.domain.calendar import WorkCalendar
from services.scoring.domain.rules import RuleSet, parse_rules
from services.scoring.store import rulesets
from shared.logs import get_logger

log = get_logger(__name__)

DEFAULT_RULES = Path(__file__).parent / "rules" / "default.yaml"


@dataclass(frozen=True)
class ActiveRules:
    version: int
    rules: RuleSet
    calendar: WorkCalendar


class Rulebook:
    """Answers "which rules now?" with one cheap query per batch."""

    def __init__(self) -> None:
        self._cache: dict[int, ActiveRules] = {}

    async def current(self, conn: AsyncConnection) -> ActiveRules:
        version = await rulesets.active_version(conn)
        if version is None:
            raise LookupError("no rule set is published yet")
        known = self._cache.get(version)
        if known is None:
            stored = await rulesets.load(conn, version)
            if stored is None:
                raise LookupError(f"rule set version {version} vanished")
            known = ActiveRules(version, stored.rules, WorkCalendar(stored.rules.calendar))
            self._cache = {version: known}
            log.info("rules in force", version=version, name=stored.rules.name)
        return known


def default_source(path: Path | None = None) -> str:
    return (path or DEFAULT_RULES).read_text(encoding="utf-8")


def default_rules(path: Path | None = None) -> RuleSet:
    return parse_rules(default_source(path))
