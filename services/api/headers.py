"""Security headers on every answer: what a browser may load, run, frame, sniff and store.

- The pages (``/screen``, ``/me``, ``/admin``) load scripts, styles, fonts and data from
  the gateway alone, and nothing inline (data for the scripts travels as
  ``<script type="application/json">``, which is never executed).
- ``/screen``, ``/me`` and ``/teams/config`` may be framed by Microsoft Teams (a channel
  tab shows the board, a personal tab the employee page, and Teams shows the channel tab's
  set-up page in a dialog); ``/admin`` by nothing, so that no other
  site can overlay a publish button; API answers by nothing either.
- No page or answer sends a ``Referer`` onwards, and none is MIME-sniffed.
- Personal answers and pages are never stored by a browser or proxy: ``/me``, ``/admin``,
  ``/screen`` (its address may carry a display token) and the ``/api/me``,
  ``/api/admin`` and ``/api/insights`` answers.

A route that sets its own policy (the API docs) keeps it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TEAMS_HOSTS = (
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://*.cloud.microsoft",
    "https://*.office.com",
)
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors {framers}"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Pages a Teams tab shows (and the channel tab's set-up page); no other page may be framed.
IN_TEAMS = ("/screen", "/me", "/teams/config")
PAGES = (
    *(*IN_TEAMS, "/admin", "/champions", "/champions/checkin", "/community"),
    # The adoption lead's cockpit and the newsletter.
    *("/insights", "/insights/campaigns", "/insights/nudges", "/admin/newsletter"),
    "/teams/auth-end",  # the last page of the Teams sign-in pop-up, a window of its own
)
PERSONAL = (
    *("/me", "/admin", "/screen", "/api/me", "/api/admin", "/api/insights"),
    # The champions programme: applications, check-in codes (screens' too), activities.
    *("/champions", "/api/champions", "/api/champion-events", "/api/activities"),
    "/api/screen/checkin",
    # The community: kudos, stories, tries and claim codes are someone's own.
    *("/community", "/api/kudos", "/api/stories", "/api/usecases", "/api/claims"),
    "/api/people",
    "/insights",
)


# Pages that show one of the gateway's own answers in a frame (the newsletter's email
# preview, which is served under a policy of its own).
FRAMING = ("/admin/newsletter",)


def page_policy(path: str) -> str:
    framers = " ".join(("'self'", *TEAMS_HOSTS)) if path in IN_TEAMS else "'none'"
    policy = PAGE_POLICY.format(framers=framers)
    return f"{policy}; frame-src 'self'" if path in FRAMING else policy


def _personal(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PERSONAL)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pages = {path: page_policy(path) for path in PAGES}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A copy: the edge cache replays the messages it keeps.
                message = {**message, "headers": list(message.get("headers", []))}
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = self._pages.get(path, API_POLICY)
                if path in PAGES and path not in IN_TEAMS:
                    headers["X-Frame-Options"] = "DENY"
                if _personal(path):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
