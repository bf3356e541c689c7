"""Whether the usage report conceals names, and the two ways out, for the admin page.

Ingest knows best (``admin/reportSettings`` and the rows it read): its status
in the JetStream KV bucket is read first. When the bus or the status is not
there, the stored facts tell: concealed report identities in the adoption
window mean the report concealed names recently.
"""

from __future__ import annotations

from typing import Any, Literal

from nats.aio.client import Client
from pydantic import BaseModel, Field

from services.api.insights import Figures
from services.ingest.status import REVEAL_COMMAND, REVEAL_PERMISSION, read_status
from shared.logs import get_logger

log = get_logger(__name__)

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Usage report: names",
        "concealed": (
            "Microsoft 365 conceals user names in the Copilot usage report. Its rows cannot be "
            "matched to people, so they count only in the tenant-wide adoption figure: nobody "
            "earns points, badges or a place on the boards from them."
        ),
        "admin_centre": (
            "In the Microsoft 365 admin centre: Settings > Org settings > Services > Reports, "
            'turn on "Display concealed user, group, and site names in all reports".'
        ),
        "command": (
            f"Or run `{REVEAL_COMMAND}` (the app registration needs the application "
            f"permission {REVEAL_PERMISSION})."
        ),
        "after": "Ingest then reads the report again under each person's own identity.",
        "unknown": (
            "{n} report rows name users the directory does not know; they count only in the "
            "tenant-wide figure."
        ),
    },
    "nl": {
        "title": "Gebruiksrapport: namen",
        "concealed": (
            "Microsoft 365 verbergt gebruikersnamen in het Copilot-gebruiksrapport. De rijen "
            "kunnen niet aan personen gekoppeld worden en tellen dus alleen mee in het "
            "adoptiecijfer voor de hele tenant: niemand verdient er punten, badges of een "
            "plaats in het klassement mee."
        ),
        "admin_centre": (
            "In het Microsoft 365-beheercentrum: Instellingen > Organisatie-instellingen > "
            'Services > Rapporten, zet "Display concealed user, group, and site names in all '
            'reports" (verborgen namen tonen in alle rapporten) aan.'
        ),
        "command": (
            f"Of voer `{REVEAL_COMMAND}` uit (de app-registratie heeft de "
            f"toepassingsmachtiging {REVEAL_PERMISSION} nodig)."
        ),
        "after": "Ingest leest het rapport daarna opnieuw in, onder ieders eigen identiteit.",
        "unknown": (
            "{n} rapportrijen noemen gebruikers die de directory niet kent; ze tellen alleen "
            "mee in het cijfer voor de hele tenant."
        ),
    },
    "fr": {
        "title": "Rapport d'utilisation : noms",
        "concealed": (
            "Microsoft 365 masque les noms d'utilisateur dans le rapport d'utilisation de "
            "Copilot. Ses lignes ne peuvent pas être reliées à des personnes : elles ne comptent "
            "que dans le taux d'adoption de l'ensemble du tenant, et personne n'en tire de "
            "points, de badges ni de place au classement."
        ),
        "admin_centre": (
            "Dans le centre d'administration Microsoft 365 : Paramètres > Paramètres de "
            "l'organisation > Services > Rapports, activez « Display concealed user, group, "
            "and site names in all reports » (afficher les noms masqués dans tous les "
            "rapports)."
        ),
        "command": (
            f"Ou exécutez `{REVEAL_COMMAND}` (l'inscription d'application doit avoir "
            f"l'autorisation d'application {REVEAL_PERMISSION})."
        ),
        "after": "Ingest relit alors le rapport sous l'identité de chaque personne.",
        "unknown": (
            "{n} lignes du rapport nomment des utilisateurs inconnus de l'annuaire ; elles ne "
            "comptent que dans le chiffre de l'ensemble du tenant."
        ),
    },
}


class ReportNames(BaseModel):
    """What the admin page says about concealed names in the usage report."""

    concealed: bool | None = Field(description="None until ingest or the stored facts tell")
    source: Literal["ingest", "stored facts"] | None
    checked_at: str | None = Field(default=None, description="Ingest's last successful cycle")
    title: str = Field(description="A heading, in the page's language")
    unknown_rows: int = 0
    messages: list[str] = Field(description="What it means, in the page's language")
    ways_out: list[str] = Field(description="How to reveal names, while they are concealed")
    command: str = REVEAL_COMMAND
    permission: str = REVEAL_PERMISSION


async def ingest_status(client: Client | None, bucket: str) -> dict[str, Any] | None:
    """Ingest's status from the KV bucket ``INGEST_STATUS_BUCKET``, if there is one."""
    if client is None or not client.is_connected:
        return None
    try:
        return await read_status(client.jetstream(), bucket)
    except Exception as exc:  # the page falls back on the stored facts
        log.info("ingest status not readable", error=str(exc)[:200])
        return None


def report_names(status: dict[str, Any] | None, figures: Figures, lang: str) -> ReportNames:
    texts = TEXTS.get(lang, TEXTS["en"])
    tenant = figures.tenant_wide
    if status is not None and status.get("concealed_names") is not None:
        concealed: bool | None = bool(status["concealed_names"])
        source: Literal["ingest", "stored facts"] | None = "ingest"
        unknown = int(status.get("report_rows_unknown") or 0)
    elif tenant is not None:
        concealed, source, unknown = tenant.concealed_active > 0, "stored facts", 0
    else:
        concealed, source, unknown = None, None, 0
    messages = [texts["concealed"]] if concealed else []
    if unknown:
        messages.append(texts["unknown"].format(n=unknown))
    return ReportNames(
        concealed=concealed,
        source=source,
        checked_at=(status or {}).get("last_success"),
        title=texts["title"],
        unknown_rows=unknown,
        messages=messages,
        ways_out=[texts["admin_centre"], texts["command"], texts["after"]] if concealed else [],
    )
