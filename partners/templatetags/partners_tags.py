"""Drawing the busy parts of the lay partner pages in Python, with the same markup the templates drew:
the directory's rows (without a `{% url %}`, a `get_status_display` and a dozen variable lookups
per row, 50 rows a page). The sections other apps add are drawn by core.dashboard.sections_html."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from core.formatting import date_text
from core.links import url_for_each
from core.tables import cell
from partners.models import PartnerLink

register = template.Library()

STATUS_TAG_CLASSES = {PartnerLink.Status.ACTIVE: "nhsuk-tag--green", PartnerLink.Status.PAUSED: "nhsuk-tag--yellow"}
STATUS_LABELS = {value: conditional_escape(label) for value, label in PartnerLink.Status.choices}
# How the Needs column names each communication need (short, for a table cell).
NEED_LABELS = {"large_print": "Large print", "easy_read": "Easy read", "bsl": "BSL"}


def _needs(partner: Any) -> str:
    if not partner.communication_needs:
        return "None"
    return ", ".join(
        NEED_LABELS.get(need) or conditional_escape(partner.other_language or "Another language")
        for need in partner.communication_needs
    )


@register.filter
def directory_rows(links: Iterable[Any]) -> SafeString:
    """The directory table's body rows (templates/partners/directory.html), one per partner link,
    each with its `partner` (name, preferred name, email, phone, needs, assisted digital)."""
    esc = conditional_escape
    detail_url = url_for_each("partners:partner_detail")
    rows = []
    for link in links:
        p = link.partner
        name = f'<a href="{detail_url(p.pk)}">{esc(p.full_name)}</a>'
        if p.preferred_name:
            name += f'<br><span class="nhsuk-body-s">Known as {esc(p.preferred_name)}</span>'
        if p.is_assisted_digital:
            name += '<br><strong class="nhsuk-tag nhsuk-tag--blue">Supported by staff</strong>'
        status = (
            f'<strong class="nhsuk-tag {STATUS_TAG_CLASSES.get(link.status, "nhsuk-tag--grey")}">'
            f"{STATUS_LABELS.get(link.status) or esc(link.status)}</strong>"
        )
        contact = (
            f"{esc(p.email or '')}{'<br>' if p.email and p.phone else ''}"
            f'<span class="nhsuk-u-nowrap">{esc(p.phone or "")}</span>'
            f"{'' if p.email or p.phone else 'By post'}"
        )
        rows.append(
            '\n    <tr class="nhsuk-table__row">\n      '
            + "\n      ".join(
                (
                    cell("Name", f"<span>{name}</span>"),
                    cell("Status", status),
                    cell("Joined", f'<span class="nhsuk-u-nowrap">{date_text(link.joined_on)}</span>'),
                    cell("Contact", f'<span class="portal-table-contact">{contact}</span>'),
                    cell("Needs", f"<span>{_needs(p)}</span>"),
                )
            )
            + "\n    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
