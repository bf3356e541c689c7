"""The sandbox's sign-in page: pick who you are from the organisation, no password.

Server-rendered HTML without scripts, styled by its own stylesheet under a policy of
its own: forms may go to the sandbox and, for the chosen person, on to the app's
redirect URI (browsers check ``form-action`` on the redirect that follows a post).
The first people of the organisation are listed, with their department and their
app roles; the search box finds anyone by name, user name, department or role.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.sandbox.organisation import Person
from services.sandbox.state import SandboxState

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE / "static" / "picker.css"
ICON = HERE / "static" / "favicon.svg"
SHOWN = 12
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(("html",))
)


@dataclass(frozen=True)
class Choice:
    id: str
    name: str
    upn: str
    department: str
    job_title: str
    roles: list[str]
    initials: str


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _choice(state: SandboxState, person: Person) -> Choice:
    placement = person.placement_on(state.data_date)
    return Choice(
        id=person.id,
        name=person.display_name,
        upn=person.user_principal_name,
        department=placement.department,
        job_title=placement.job_title,
        roles=state.roles_of(person),
        initials=(person.given_name[:1] + person.surname[:1]).upper(),
    )


def matches(state: SandboxState, query: str) -> tuple[list[Choice], int]:
    """The first people matching ``query`` (everyone when empty), and how many match."""
    wanted = fold(query.strip())
    found: list[Choice] = []
    total = 0
    for person in state.org.people:
        if not person.present_on(state.data_date):
            continue
        placement = person.placement_on(state.data_date)
        if wanted:
            haystack = " ".join(
                (person.display_name, person.user_principal_name, placement.department)
            )
            roles = [fold(r) for r in state.roles_of(person)]
            if wanted not in fold(haystack) and wanted not in roles:
                continue
        total += 1
        if len(found) < SHOWN:
            found.append(_choice(state, person))
    return found, total


def policy(return_origin: str | None) -> str:
    forms = f"'self' {return_origin}" if return_origin else "'self'"
    return (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        f"form-action {forms}; frame-ancestors 'none'"
    )


def picker_page(
    state: SandboxState,
    *,
    action: str,
    carried: dict[str, str],
    query: str,
    return_origin: str,
) -> HTMLResponse:
    people, total = matches(state, query)
    html = TEMPLATES.get_template("picker.html").render(
        action=action,
        carried=carried,
        query=query,
        people=people,
        total=total,
        domain=state.org.domain,
        stylesheet="/sandbox/signin/picker.css",
    )
    return HTMLResponse(html, headers=_headers(policy(return_origin)))


def error_page(code: int, description: str) -> HTMLResponse:
    html = TEMPLATES.get_template("signin_error.html").render(
        code=code, description=description, stylesheet="/sandbox/signin/picker.css"
    )
    return HTMLResponse(html, status_code=400, headers=_headers(policy(None)))


def _headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
    }
