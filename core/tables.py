"""Rows of NHS.UK responsive tables, written in Python for the lists that draw fifty of them.

A row drawn by the template engine costs about 140 µs in variable lookups, `{% url %}` and
`get_FOO_display` calls; the busiest lists (activities, claims, partners, a programme's people)
write their rows with these helpers instead, with the markup their templates had. Links come from
`core.links.url_for_each`."""

from __future__ import annotations


def cell(heading: str, content: str, *, numeric: bool = False) -> str:
    """`<td>` with the heading a phone shows beside the value. Both are HTML already escaped."""
    classes = "nhsuk-table__cell nhsuk-table__cell--numeric" if numeric else "nhsuk-table__cell"
    return (
        f'<td class="{classes}"><span class="nhsuk-table-responsive__heading" aria-hidden="true">'
        f"{heading} </span>{content}</td>"
    )
