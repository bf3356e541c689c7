"""``python -m services.ingest reveal-names``: stop Microsoft 365 concealing names in reports.

The same switch as the Microsoft 365 admin centre's "Display concealed user,
group, and site names in all reports", through Graph:
``PATCH /v1.0/admin/reportSettings {"displayConcealedNames": false}``, which
needs the application permission ``ReportSettings.ReadWrite.All``. Ingest's
next cycle sees the joinable rows, withdraws the unattributed facts and reads
the report again under people's own ids.
"""

from __future__ import annotations

from services.ingest.bootstrap import graph_for
from services.ingest.graph import GraphError
from services.ingest.status import ADMIN_CENTRE_SETTING, REVEAL_PERMISSION
from shared.logs import get_logger
from shared.settings import IngestSettings

log = get_logger(__name__)

SETTINGS_PATH = "v1.0/admin/reportSettings"


class RevealRefused(Exception):
    """Graph would not change the setting; ``str()`` is the one line an operator needs."""


async def reveal_names(settings: IngestSettings) -> None:
    """Turn concealed names off; raises :class:`RevealRefused` with the way forward."""
    tokens, graph = graph_for(settings)
    try:
        await graph.patch(SETTINGS_PATH, {"displayConcealedNames": False})
    except GraphError as exc:
        if exc.status == 403:
            raise RevealRefused(
                "Graph refused to change the report settings (403): grant the app registration "
                f"the application permission {REVEAL_PERMISSION} (with admin consent), or use "
                f"the {ADMIN_CENTRE_SETTING}."
            ) from None
        raise
    finally:
        await graph.aclose()
        tokens.close()
    log.info(
        "report names are no longer concealed; the next ingest cycle reads the report "
        "again under people's own ids"
    )
