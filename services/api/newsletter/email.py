"""The issue as an email: one self-contained HTML file per language.

Email clients are old browsers with opinions: Outlook for Windows lays out with Word's
engine, which ignores CSS layout, so the page is a 600-pixel table with every style
inline, widths and colours also as attributes, system fonts only, and no image or
other file to fetch. Every text is escaped.
"""

from __future__ import annotations

from html import escape

from services.api.newsletter.texts import word
from shared.events import NewsletterSection, NewsletterText
from shared.languages import Language

WIDTH = 600
FONT = "Segoe UI, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#4a3aa8"
PAPER = "#ffffff"
BACKDROP = "#f0f2f5"
# A colour per section, so a reader skimming the mail finds theirs again.
BANDS = {"stories": "#0f7b6c", "teams": "#2b5cad", "badges": "#a15c00", "tip": ACCENT}


def _cell(content: str, style: str, *, bgcolor: str | None = None) -> str:
    colour = f' bgcolor="{bgcolor}"' if bgcolor else ""
    return f'<tr><td{colour} style="{style}">{content}</td></tr>'


def _section(section: NewsletterSection) -> str:
    band = BANDS[section.kind]
    head = _cell(
        escape(section.heading),
        f"padding:20px 32px 8px 32px;font-family:{FONT};font-size:18px;line-height:24px;"
        f"font-weight:bold;color:{band};border-top:3px solid {band};",
    )
    items = "".join(
        _cell(
            escape(item),
            f"padding:4px 32px 8px 32px;font-family:{FONT};font-size:15px;line-height:22px;"
            f"color:{INK};",
        )
        for item in section.items
    )
    return head + items


def render_email(text: NewsletterText, lang: Language) -> str:
    """A complete HTML document to send as the body of an email."""
    rows = [
        _cell(
            "Uptake",
            f"padding:20px 32px;font-family:{FONT};font-size:14px;line-height:18px;"
            f"font-weight:bold;letter-spacing:2px;text-transform:uppercase;color:#ffffff;",
            bgcolor=ACCENT,
        ),
        _cell(
            escape(text.title),
            f"padding:28px 32px 8px 32px;font-family:{FONT};font-size:26px;line-height:32px;"
            f"font-weight:bold;color:{INK};",
        ),
        _cell(
            escape(text.intro),
            f"padding:0 32px 16px 32px;font-family:{FONT};font-size:15px;line-height:22px;"
            f"color:{MUTED};",
        ),
        *(_section(section) for section in text.sections),
        _cell(
            escape(word("footer", lang)),
            f"padding:24px 32px;font-family:{FONT};font-size:12px;line-height:18px;"
            f"color:{MUTED};border-top:1px solid #d9dee3;",
        ),
    ]
    body = "".join(rows)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" xmlns="http://www.w3.org/1999/xhtml">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        f"<title>{escape(text.title)}</title>\n"
        "</head>\n"
        f'<body style="margin:0;padding:0;background-color:{BACKDROP};">\n'
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'bgcolor="{BACKDROP}" style="background-color:{BACKDROP};">'
        '<tr><td align="center" style="padding:24px 8px;">'
        f'<table role="presentation" width="{WIDTH}" cellpadding="0" cellspacing="0" border="0" '
        f'bgcolor="{PAPER}" style="width:{WIDTH}px;max-width:{WIDTH}px;background-color:{PAPER};'
        f'border-collapse:collapse;">'
        f"{body}</table></td></tr></table>\n"
        "</body>\n"
        "</html>\n"
    )
