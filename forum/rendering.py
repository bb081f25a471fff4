"""Meeting notes are written in Markdown and shown as HTML that cannot carry script."""

from __future__ import annotations

import html as html_lib
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
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
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

# What a writer might paste that would run code in a reader's browser. Notes containing any of it
# are refused with a message (render_notes would strip it anyway; refusing means nothing is lost
# silently). Text inside `code` is escaped by Markdown, so writing *about* <script> is fine.
_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>?")
_CODE_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "textarea", "select", "svg", "math", "link", "meta", "base",
}  # fmt: skip
_EVENT_ATTRIBUTE = re.compile(r"(?:^|[\s\"'/])on[a-z]+\s*=", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(
    r"(?:href|src|action|formaction|xlink:href)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE
)
_CODE_SCHEME = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)


def unsafe_markup(body_markdown: str) -> str | None:
    """A plain-English reason the notes carry script or code, or None when they do not."""
    html = markdown.markdown(body_markdown or "", extensions=["tables", "sane_lists"], output_format="html")
    for match in _TAG.finditer(html):
        name, attributes = match.group(1).lower(), match.group(2)
        if name in _CODE_TAGS:
            return f"Notes cannot contain a <{name}> tag. Remove it and save again"
        if _EVENT_ATTRIBUTE.search(attributes):
            return "Notes cannot contain code that runs in the browser (such as onclick or onerror). Remove it and save again"
        for value in _URL_ATTRIBUTE.findall(attributes):
            url = re.sub(r"[\x00-\x20]", "", html_lib.unescape(value.strip("\"'")))
            if _CODE_SCHEME.match(url):
                return (
                    "Links in notes must start with https://, http:// or mailto:. Remove the script link and save again"
                )
    return None


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


# Words that start with a vowel letter but a consonant sound ("a Union", "a European", "a one-off").
_CONSONANT_SOUND_STARTS = ("uni", "use", "usu", "uro", "eu", "ewe", "one", "once")
# Capitalised abbreviations said letter by letter whose first letter sounds like a vowel ("an NHS").
_VOWEL_SOUND_LETTERS = set("AEFHILMNORSX")


def with_article(phrase: str, *, capital: bool = False) -> str:
    """`phrase` after "a" or "an" as it is said: "an Involvement and Co-production Forum",
    "a Wessex group", "an NHS forum", "a Unified group"."""
    first = re.split(r"[\s\-/]", phrase.strip(), maxsplit=1)[0]
    letters = re.sub(r"[^A-Za-z]", "", first)
    if len(letters) > 1 and letters.isupper():
        an = letters[0] in _VOWEL_SOUND_LETTERS
    else:
        lower = letters.lower()
        an = lower[:1] in ("a", "e", "i", "o", "u") and not lower.startswith(_CONSONANT_SOUND_STARTS)
    article = "an" if an else "a"
    return f"{article.capitalize() if capital else article} {phrase}"
