"""Event contracts: CloudEvents 1.0 envelopes around typed payloads.

Every message on the bus is a ``CloudEvent[Payload]``. The envelope id is
deterministic (see :func:`shared.ids.event_id`) and doubles as the JetStream
``Nats-Msg-Id``, so the same fact published twice is the same event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared import partitions, subjects
from shared.ids import event_id


class App(StrEnum):
    """Where a Copilot action happened."""

    TEAMS = "teams"
    WORD = "word"
    EXCEL = "excel"
    POWERPOINT = "powerpoint"
    OUTLOOK = "outlook"
    ONENOTE = "onenote"
    LOOP = "loop"
    CHAT = "chat"
    OTHER = "other"


# How people know each app, in every language (product names are not translated).
APP_NAMES: dict[str, str] = {
    App.TEAMS: "Teams",
    App.WORD: "Word",
    App.EXCEL: "Excel",
    App.POWERPOINT: "PowerPoint",
    App.OUTLOOK: "Outlook",
    App.ONENOTE: "OneNote",
    App.LOOP: "Loop",
    App.CHAT: "Copilot Chat",
    App.OTHER: "Microsoft 365",
}


class ActivityKind(StrEnum):
    ACTIVE_DAY = "active_day"  # from usage reports: active in this app on this date
    PROMPT = "prompt"  # from interaction history: one user prompt


class SignalSource(StrEnum):
    USAGE_REPORT = "usage_report"
    INTERACTION_HISTORY = "interaction_history"
    MANUAL = "manual"


class Payload(BaseModel):
    """Base of every event payload: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    subject_name: ClassVar[str]

    def identity(self) -> tuple[object, ...]:
        """The fields that make this fact unique; hashed into the event id."""
        raise NotImplementedError

    def subject_of(self) -> str | None:
        """The CloudEvents ``subject``: what the event is about."""
        return None

    def nats_subject(self) -> str:
        """Where the event is published: the kind's subject, with the person's partition
        for facts about a person (:mod:`shared.partitions`)."""
        person = getattr(self, "person", None)
        if isinstance(person, str):
            return partitions.subject_for(self.subject_name, person)
        return self.subject_name


class CopilotActivity(Payload):
    """One Copilot usage fact about one (pseudonymous) person."""

    event_type: ClassVar[str] = "copilot.activity"
    subject_name: ClassVar[str] = subjects.COPILOT_ACTIVITY

    person: str
    app: App
    kind: ActivityKind
    date: date
    occurred_at: datetime | None = None
    source: SignalSource
    # Distinguishes several prompts of one person in one app on one day.
    interaction_id: str | None = None

    def identity(self) -> tuple[object, ...]:
        return (self.person, self.app, self.kind, self.date, self.interaction_id)

    def subject_of(self) -> str:
        return self.person


class DirectoryPerson(Payload):
    """A person as the directory knows them: where they belong, whether licensed."""

    event_type: ClassVar[str] = "directory.person"
    subject_name: ClassVar[str] = subjects.DIRECTORY_PERSON

    person: str
    display_name: str | None = None
    department: str | None = None
    team: str | None = None
    job_title: str | None = None
    office_location: str | None = None
    licensed: bool = True
    removed: bool = False
    observed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    def identity(self) -> tuple[object, ...]:
        return (
            self.person,
            self.display_name,
            self.department,
            self.team,
            self.licensed,
            self.removed,
        )

    def subject_of(self) -> str:
        return self.person


class UnattributedReason(StrEnum):
    """Why a usage-report row could not be joined to a directory person."""

    CONCEALED = "concealed"  # the report conceals names (32-hex hashes)
    UNKNOWN_USER = "unknown_user"  # a userPrincipalName the directory does not know


class UnattributedActivity(Payload):
    """An active day from the usage report that belongs to no directory person.

    Never scored and never a person: it counts only toward the tenant-wide
    adoption figure. ``report_identity`` is a keyed pseudonym of the report's
    name (concealed hash or unknown userPrincipalName), not a person id.
    ``epoch`` is ingest's count of retirements so far: a retirement withdraws
    every fact of its epoch and earlier, whatever order the two arrive in.
    """

    event_type: ClassVar[str] = "copilot.unattributed"
    subject_name: ClassVar[str] = subjects.COPILOT_UNATTRIBUTED

    report_identity: str
    reason: UnattributedReason
    app: App
    date: date
    epoch: int = Field(ge=1)

    def identity(self) -> tuple[object, ...]:
        return (self.report_identity, self.app, self.date, self.epoch)

    def subject_of(self) -> str:
        return self.report_identity


class UnattributedRetired(Payload):
    """Every unattributed fact of ``epoch`` and earlier is withdrawn.

    Ingest sends it when report rows became joinable (names revealed, or a name
    the directory now knows), just before it reads the report again under the
    people's own ids, so that nobody counts twice.
    """

    event_type: ClassVar[str] = "copilot.unattributed_retired"
    subject_name: ClassVar[str] = subjects.COPILOT_UNATTRIBUTED_RETIRED

    epoch: int = Field(ge=1)

    def identity(self) -> tuple[object, ...]:
        return (self.epoch,)


class AwardBase(Payload):
    person: str
    rule: str
    ruleset_version: int
    activity_date: date
    team: str | None = None
    department: str | None = None
    ledger_key: str

    def identity(self) -> tuple[object, ...]:
        return (self.ledger_key,)

    def subject_of(self) -> str:
        return self.person


class PointsAwarded(AwardBase):
    event_type: ClassVar[str] = "awards.points"
    subject_name: ClassVar[str] = subjects.AWARDS_POINTS

    points: int
    total: int | None = None


class TitledAward(AwardBase):
    """An award named by the rule set: ``title`` in the rule set's language, ``titles`` per
    language (``nl``, ``en``, ``fr``) where the rule set gives them."""

    title: str
    titles: dict[str, str] = {}

    def title_in(self, language: str) -> str:
        return self.titles.get(language) or self.title


class BadgeAwarded(TitledAward):
    event_type: ClassVar[str] = "awards.badge"
    subject_name: ClassVar[str] = subjects.AWARDS_BADGE

    badge: str


class LevelReached(TitledAward):
    event_type: ClassVar[str] = "awards.level"
    subject_name: ClassVar[str] = subjects.AWARDS_LEVEL

    level: int


class ChallengeCompleted(TitledAward):
    event_type: ClassVar[str] = "awards.challenge"
    subject_name: ClassVar[str] = subjects.AWARDS_CHALLENGE

    challenge: str
    scope: Literal["person", "team", "department"]
    winner: str
    rank: int
    value: float


class RulesPublished(Payload):
    event_type: ClassVar[str] = "control.rules"
    subject_name: ClassVar[str] = subjects.CONTROL_RULES

    version: int
    published_by: str | None = None

    def identity(self) -> tuple[object, ...]:
        return (self.version,)


class RecognitionKind(StrEnum):
    """What a person is recognised for, outside Copilot usage."""

    EVENT_ATTENDED = "event_attended"  # checked in at a champion event
    EVENT_HOSTED = "event_hosted"  # hosted a champion event that had attendees
    ACTIVITY = "activity"  # a manual activity (blog post, training given), approved
    STORY = "story"  # a success story, approved
    KUDOS = "kudos"  # kudos received from a colleague
    CLAIM = "claim"  # a claim code redeemed (e.g. a training quiz)
    USE_CASE = "use_case"  # "I tried this", confirmed by a usage signal


class RecognitionGranted(Payload):
    """Points granted to one person for something Copilot usage does not show.

    ``grant`` is the stable id of the reason (for instance ``event:<id>:attended:<person>``),
    so a retried grant is the same fact and the ledger pays it once. ``points`` is decided
    by whoever grants (from the rule set's recognition points) and is paid as it is.
    """

    event_type: ClassVar[str] = "recognition.granted"
    subject_name: ClassVar[str] = subjects.RECOGNITION_GRANTED

    grant: str = Field(min_length=1, max_length=200)
    person: str
    kind: RecognitionKind
    points: int = Field(ge=0, le=10_000)
    date: date  # the day it counts for, in the organisation's time zone
    title: str = Field(default="", max_length=200)  # what it was for, shown in explanations
    granted_by: str | None = None  # the pseudonymous id of the approver or host

    def identity(self) -> tuple[object, ...]:
        return (self.grant,)

    def subject_of(self) -> str:
        return self.person


class RecognitionRevoked(Payload):
    """A grant is withdrawn; it stays withdrawn whatever order the two arrive in."""

    event_type: ClassVar[str] = "recognition.revoked"
    subject_name: ClassVar[str] = subjects.RECOGNITION_REVOKED

    grant: str = Field(min_length=1, max_length=200)
    person: str
    reason: str = Field(default="", max_length=500)
    revoked_by: str | None = None

    def identity(self) -> tuple[object, ...]:
        return (self.grant,)

    def subject_of(self) -> str:
        return self.person


class CommunityChange(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"


class KudosGiven(Payload):
    """One colleague thanked another. The message is not on the bus: it stays in the
    gateway, where its recipient may hide it."""

    event_type: ClassVar[str] = "community.kudos"
    subject_name: ClassVar[str] = subjects.COMMUNITY_KUDOS

    kudos: str
    giver: str
    receiver: str
    value: str = Field(max_length=40)  # the value tag, e.g. "helpful"
    date: date

    def identity(self) -> tuple[object, ...]:
        return (self.kudos,)

    def subject_of(self) -> str:
        return self.receiver


class StoryPublished(Payload):
    """A success story was approved (or withdrawn) for screens, newsletters and channels.

    ``author`` is set only when the author chose to be named.
    """

    event_type: ClassVar[str] = "community.story"
    subject_name: ClassVar[str] = subjects.COMMUNITY_STORY

    story: str
    change: CommunityChange
    app: App
    use_case: str | None = None
    minutes_saved: int = Field(ge=0, le=24 * 60)
    text: str = Field(max_length=600)
    department: str | None = None
    author: str | None = None
    post_to_engage: bool = False

    def identity(self) -> tuple[object, ...]:
        return (self.story, self.change)

    def subject_of(self) -> str:
        return self.story


class AdoptionGap(BaseModel):
    """Why a tip was sent: the department's active rate in an app against the
    organisation's, over the same complete weeks (aggregates only, never people)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    app: App
    department_rate: float = Field(ge=0, le=1)
    organisation_rate: float = Field(ge=0, le=1)
    weeks: int = Field(ge=1, le=52)
    until: date  # the last day of the weeks compared


class TipPosted(Payload):
    """A use case sent to a department's channel: by a champion, or by an adoption lead
    acting on a nudge (then ``gap`` says which gap it answers)."""

    event_type: ClassVar[str] = "community.tip"
    subject_name: ClassVar[str] = subjects.COMMUNITY_TIP

    tip: str
    department: str
    use_case: str
    app: App
    titles: dict[str, str]  # per language: nl, en, fr
    prompts: dict[str, list[str]] = {}  # sample prompts per language
    sent_by: str | None = None
    gap: AdoptionGap | None = None

    def identity(self) -> tuple[object, ...]:
        return (self.tip,)

    def subject_of(self) -> str:
        return self.department


class ChampionEventChanged(Payload):
    """A champion event (lunch & learn, office hours, prompt-a-thon) was created or changed."""

    event_type: ClassVar[str] = "community.event"
    subject_name: ClassVar[str] = subjects.COMMUNITY_EVENT

    event: str
    change: CommunityChange
    format: str = Field(max_length=40)  # lunch_and_learn, office_hours, promptathon
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    departments: list[str] = []
    host: str | None = None
    version: int = Field(default=1, ge=1)

    def identity(self) -> tuple[object, ...]:
        return (self.event, self.change, self.version)

    def subject_of(self) -> str:
        return self.event


class ChampionChanged(Payload):
    """Someone's champion status changed: pending, approved, rejected or retired."""

    event_type: ClassVar[str] = "community.champion"
    subject_name: ClassVar[str] = subjects.COMMUNITY_CHAMPION

    person: str
    status: Literal["pending", "approved", "rejected", "retired"]
    departments: list[str] = []
    apps: list[App] = []
    version: int = Field(default=1, ge=1)

    def identity(self) -> tuple[object, ...]:
        return (self.person, self.status, self.version)

    def subject_of(self) -> str:
        return self.person


class NewsletterSection(BaseModel):
    """One part of a newsletter in one language: a heading and its lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["stories", "teams", "badges", "tip"]
    heading: str = Field(max_length=200)
    items: list[str] = Field(default=[], max_length=10)  # each at most 600 characters


class NewsletterText(BaseModel):
    """A newsletter issue in one language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(max_length=200)
    intro: str = Field(max_length=600)
    sections: list[NewsletterSection] = Field(default=[], max_length=8)


class NewsletterPublished(Payload):
    """An adoption lead sent a newsletter issue: notify posts its Teams card to the
    company channels and, when asked, to Viva Engage. Texts per language (nl, en, fr);
    they name only people who may be named."""

    event_type: ClassVar[str] = "community.newsletter"
    subject_name: ClassVar[str] = subjects.COMMUNITY_NEWSLETTER

    newsletter: str
    cadence: Literal["weekly", "monthly"]
    since: date
    until: date
    texts: dict[str, NewsletterText]
    post_to_engage: bool = False
    # The people the texts name (story authors who chose to be named): an erasure finds
    # the issue by them, and notify drops it rather than post a name no longer allowed.
    named: list[str] = []

    def identity(self) -> tuple[object, ...]:
        return (self.newsletter,)

    def subject_of(self) -> str:
        return self.newsletter


P = TypeVar("P", bound=Payload)


class CloudEvent(BaseModel, Generic[P]):
    """A CloudEvents 1.0 JSON envelope (structured mode)."""

    model_config = ConfigDict(frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    data: P

    @classmethod
    def wrap(cls, data: P, *, source: str, time: datetime | None = None) -> CloudEvent[P]:
        return CloudEvent[P](
            id=event_id(data.event_type, *data.identity()),
            source=source,
            type=data.event_type,
            time=time or datetime.now(UTC),
            subject=data.subject_of(),
            data=data,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    model.event_type: model
    for model in (
        CopilotActivity,
        DirectoryPerson,
        UnattributedActivity,
        UnattributedRetired,
        PointsAwarded,
        BadgeAwarded,
        LevelReached,
        ChallengeCompleted,
        RulesPublished,
        RecognitionGranted,
        RecognitionRevoked,
        KudosGiven,
        StoryPublished,
        TipPosted,
        ChampionEventChanged,
        ChampionChanged,
        NewsletterPublished,
    )
}


def parse_event(raw: bytes | str | dict[str, Any]) -> CloudEvent[Any]:
    """Parse any Uptake CloudEvent into its typed envelope; raises ``ValueError``."""
    envelope = (
        CloudEvent[dict[str, Any]].model_validate(raw)  # type: ignore[type-var]
        if isinstance(raw, dict)
        else CloudEvent[dict[str, Any]].model_validate_json(raw)  # type: ignore[type-var]
    )
    model = PAYLOAD_TYPES.get(envelope.type)
    if model is None:
        raise ValueError(f"unknown event type {envelope.type!r}")
    return CloudEvent[model].model_validate(  # type: ignore[valid-type]
        envelope.model_dump() | {"data": model.model_validate(envelope.data)}
    )
