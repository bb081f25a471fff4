"""Meeting notes are written in Markdown and shown as HTML that cannot carry script."""

from __future__ import annotations

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


_HEADING = re.compile(r"<(/?)h([1-6])>")


def _shift_heading(match: re.Match[str]) -> str:
    # Pages put the notes under their own <h2>: the writer's "#" and "##" become <h3>, and so on.
    level = min(max(int(match.group(2)) + 1, 3), 6)
    return f"<{match.group(1)}h{level}>"


def render_notes(body_markdown: str) -> SafeString:
    """Markdown to HTML, then cleaned by nh3: no script, no event attributes, no javascript: links."""
    html = markdown.markdown(body_markdown or "", extensions=["tables", "sane_lists"], output_format="html")
    html = _HEADING.sub(_shift_heading, html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
