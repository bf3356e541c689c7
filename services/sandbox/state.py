"""Everything one running sandbox tenant holds: organisation, activity, keys, clock."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import uuid
from dataclasses import dataclass, field

from services.sandbox.adoption import ActivityModel
from services.sandbox.authcodes import AuthCodes
from services.sandbox.certs import CertPaths, ensure_certs
from services.sandbox.faults import FaultBook
from services.sandbox.organisation import Organisation, Person, build_organisation
from services.sandbox.prompts import PromptCounts
from services.sandbox.settings import SandboxSettings
from services.sandbox.tokens import TokenService
from services.sandbox.usage import UsageReport


@dataclass
class Runtime:
    """What tests and the demo may change while the sandbox runs."""

    data_date: dt.date
    concealed_names: bool
    report_redirect: bool
    page_size: int
    delta_page_size: int
    malformed_rows: int = 0


@dataclass
class SandboxState:
    settings: SandboxSettings
    certs: CertPaths
    org: Organisation
    model: ActivityModel
    report: UsageReport
    tokens: TokenService
    runtime: Runtime
    prompt_counts: PromptCounts
    faults: FaultBook = field(default_factory=FaultBook)
    device_codes: dict[str, str] = field(default_factory=dict)
    auth_codes: AuthCodes = field(default_factory=AuthCodes)
    delta_cache: dict[tuple[dt.date | None, dt.date], list[Person]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def data_date(self) -> dt.date:
        return self.runtime.data_date

    def now(self) -> dt.datetime:
        """The sandbox's moment: its data date at the wall clock's time of day.

        Interaction history is real time, so nothing later than this exists yet.
        """
        wall = dt.datetime.now(dt.UTC)
        return dt.datetime.combine(self.data_date, wall.time(), dt.UTC)

    @property
    def service_principal_id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{self.settings.client_id}"))

    def person_by_upn(self, upn: str) -> Person | None:
        person = self.org.by_upn(upn)
        return person if person is not None and person.present_on(self.data_date) else None

    def roles_of(self, person: Person) -> list[str]:
        """App roles of the Uptake API assigned to this person (demo assignments)."""
        if person.index == 0:
            return ["Admin", "Insights.Read"]
        leads = {"HR / Personeelszaken", "Directie"}
        if person.placement.department in leads and self._first_of_department[
            person.placement.department
        ] == (person.index):
            return ["Insights.Read"]
        return []

    @functools.cached_property
    def _first_of_department(self) -> dict[str, int]:
        firsts: dict[str, int] = {}
        for other in self.org.people:
            firsts.setdefault(other.placement.department, other.index)
        return firsts


def build_state(settings: SandboxSettings) -> SandboxState:
    certs = ensure_certs(settings.dir, tuple(settings.cert_names))
    anchor = settings.data_date
    org = build_organisation(
        seed=settings.seed,
        size=settings.people,
        anchor=anchor,
        weeks=settings.weeks,
        domain=settings.domain,
        tenant_id=settings.tenant_id,
        licensed_share=settings.licensed_share,
    )
    model = ActivityModel(org)
    hosts = dict.fromkeys(("127.0.0.1", "localhost", *settings.cert_names, settings.host))
    issuers = tuple(f"https://{h}:{settings.port}/{settings.tenant_id}/v2.0" for h in hosts)
    tokens = TokenService(certs, issuers, settings.tenant_id, settings.token_lifetime_seconds)
    runtime = Runtime(
        data_date=anchor,
        concealed_names=settings.concealed_names,
        report_redirect=settings.report_redirect,
        page_size=settings.page_size,
        delta_page_size=settings.delta_page_size,
    )
    prompts = PromptCounts(model, org.history_start, len(org.people))
    return SandboxState(
        settings, certs, org, model, UsageReport(org, model), tokens, runtime, prompts
    )
