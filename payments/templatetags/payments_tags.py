"""Showing a claim's state: a coloured NHS.UK tag and a plain-English "what happens next"; the busy
lists of the payments pages (the claims queue, the partner's money page, the payment batch form's
checkboxes) drawn in Python.

Each row of those lists cost about 20 template variable lookups, a `{% url %}` and three filters
in Django's templates (issue "Network scale": the claims queue shows 50 claims, the batch form up
to 200). Here a row is one `str.format` of escaped values, with the same markup the templates
wrote; tests/payments/test_rows.py holds them to it."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.forms import BoundField
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from core.formatting import date_text
from core.links import url_for_each
from core.money import format_money
from core.tables import cell
from core.templatetags.nhsuk import build_field_view
from payments.models import ClaimStatus

register = template.Library()

COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "returned": "orange",
    "approved": "aqua-green",
    "rejected": "red",
    "withdrawn": "white",
    "paid": "green",
}

NEXT_STEPS = {
    "draft": "You have not sent this claim yet. It is saved, so you can finish it later.",
    "submitted": "An involvement lead will check your claim. We will tell you when it is approved.",
    "returned": "We need you to change something before we can pay you. Open the claim to see what.",
    "approved": "Your claim is approved. Our finance team will pay it in their next payment run.",
    "rejected": "This claim was not approved. Open it to see why.",
    "withdrawn": "You withdrew this claim. Nothing will be paid for it.",
    "paid": "This claim has been paid.",
}


def _tag(status: str, label: str) -> SafeString:
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', COLOURS.get(status, "grey"), label)


# Each state's tag, made once: a list shows the same few on every row.
STATUS_TAGS = {str(value): _tag(value, label) for value, label in ClaimStatus.choices}


def status_tag(status: str) -> SafeString:
    """The tag for a claim in this state (its label, as `get_status_display` gives it)."""
    return STATUS_TAGS.get(status) or _tag(status, status)


@register.filter
def claim_tag(claim: Any) -> SafeString:
    if hasattr(claim, "get_status_display"):
        return status_tag(claim.status)
    return _tag(getattr(claim, "status", claim), str(getattr(claim, "status", claim)))


# On the claim's own page, where what to change (or why not) is shown below.
NEXT_STEPS_HERE = {
    **NEXT_STEPS,
    "returned": "We need you to change something before we can pay you. What to change is below.",
    "rejected": "This claim was not approved. The reason is below.",
}


@register.filter
def next_step(claim: Any, where: str = "") -> str:
    """What happens next, in the claimant's words; `claim|next_step:"here"` on the claim's page."""
    steps = NEXT_STEPS_HERE if where == "here" else NEXT_STEPS
    return steps.get(getattr(claim, "status", claim), "")


@register.filter
def history_text(entry: Any) -> str:
    verbs = {
        "payments.claim.started": "Claim started",
        "payments.claimline.added": "Line added",
        "payments.claimline.removed": "Line removed",
        "payments.claimline.changed": "Line changed",
        "payments.receipt.added": "Receipt uploaded",
        "payments.claim.submitted": "Claim sent for approval",
        "payments.claim.resubmitted": "Claim changed and sent again",
        "payments.claim.returned": "Returned to the claimant",
        "payments.claim.rejected": "Rejected",
        "payments.claim.withdrawn": "Withdrawn",
        "payments.claim.approved": "Approved",
        "payments.claimline.queried": "Question asked about a line",
        "payments.claim.paid": "Paid",
    }
    return verbs.get(entry.action, entry.action)


# --- the busy lists, row by row in Python -------------------------------------------------------

# One row's markup, its cells from core.tables.cell, with {names} filled in for each claim.
_QUEUE_ROW = (
    '\n    <tr class="nhsuk-table__row">'
    + "".join(
        "\n      " + table_cell
        for table_cell in (
            cell("Claim", '<a class="nhsuk-u-nowrap" href="{url}">{reference}</a>'),
            cell("Claimant", '<span>{name} <span class="nhsuk-u-nowrap">({partner_reference})</span></span>'),
            cell("AHSN", "{organisation}"),
            cell("Sent", '<span class="nhsuk-u-nowrap">{sent}</span>'),
            cell("State", "{tag}"),
            cell("Total", "{total}", numeric=True),
        )
    )
    + "\n    </tr>\n  "
)


@register.filter
def claim_queue_rows(rows: Iterable[Any]) -> SafeString:
    """The claims queue's table rows, from `selectors.claim_queue`'s rows."""
    claim_url = url_for_each("payments:claim_detail")
    return mark_safe(  # noqa: S308 - every value from the database is escaped
        "".join(
            _QUEUE_ROW.format(
                url=claim_url(row.pk),
                reference=escape(row.reference),
                name=escape(row.partner__preferred_name or row.partner__full_name),
                partner_reference=escape(row.partner__reference),
                organisation=escape(row.organisation__short_name),
                sent=date_text(row.submitted_at) or "Not sent",
                tag=status_tag(row.status),
                total=format_money(row.total),
            )
            for row in rows
        )
    )


_CLAIMABLE_ITEM = (
    "\n  <li>"
    '\n    <p class="nhsuk-u-margin-bottom-1"><strong>{title}</strong></p>'
    '\n    <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">{organisation}, {starts}. Claim by {last_day}.</p>'
    '\n    <form method="post" action="{action}" novalidate>'
    '\n      {csrf}<input type="hidden" name="participation" value="{pk}">'
    '\n      <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-2"'
    ' data-module="nhsuk-button" data-prevent-double-click="true" type="submit">Claim for this'
    '<span class="nhsuk-u-visually-hidden"> activity: {title}</span></button>'
    "\n    </form>"
    "\n  </li>\n  "
)


def _csrf_input(context: template.Context) -> str:
    """What `{% csrf_token %}` writes in this context."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


@register.simple_tag(takes_context=True)
def claimable_items(context: template.Context, rows: Iterable[Any]) -> SafeString:
    """The money page's "you can claim for" list items, each with its "Claim for this" button,
    from `selectors.claimable_rows`."""
    action = escape(reverse("payments:claim_start"))
    csrf = _csrf_input(context)
    return mark_safe(  # noqa: S308 - every value from the database is escaped
        "".join(
            _CLAIMABLE_ITEM.format(
                title=escape(row.activity__title),
                organisation=escape(row.activity__organisation__name),
                starts=date_text(row.activity__starts_at),
                last_day=date_text(row.last_day),
                action=action,
                csrf=csrf,
                pk=int(row.pk),
            )
            for row in rows
        )
    )


_CLAIM_CARD = (
    "\n  <li>"
    '\n    <div class="nhsuk-card nhsuk-card--clickable">'
    '\n      <div class="nhsuk-card__content">'
    '\n        <h3 class="nhsuk-card__heading nhsuk-heading-s"><a class="nhsuk-card__link" href="{url}">'
    "Claim {reference}, {total}</a></h3>"
    '\n        <p class="nhsuk-u-margin-bottom-2">{tag}</p>'
    '\n        <p class="nhsuk-card__description">{next_step}</p>'
    '\n        <p class="nhsuk-body-s nhsuk-u-secondary-text-color nhsuk-u-margin-bottom-0">{organisation}. '
    "Started {started}{paid}.</p>"
    "\n      </div>"
    "\n    </div>"
    "\n  </li>\n  "
)


@register.filter
def partner_claim_cards(rows: Iterable[Any]) -> SafeString:
    """The money page's cards for the partner's claims, from `selectors.partner_claim_rows`."""
    claim_url = url_for_each("payments:claim_detail")
    return mark_safe(  # noqa: S308 - every value from the database is escaped
        "".join(
            _CLAIM_CARD.format(
                url=claim_url(row.pk),
                reference=escape(row.reference),
                total=format_money(row.total),
                tag=status_tag(row.status),
                next_step=escape(next_step(row.status)),
                organisation=escape(row.organisation__short_name),
                started=date_text(row.created_at),
                paid=f". Paid {date_text(row.paid_at)}" if row.paid_at else "",
            )
            for row in rows
        )
    )


_CHECKBOX_ITEM = (
    '\n      <div class="nhsuk-checkboxes__item">'
    '\n        <input id="{id}" name="{name}" type="checkbox" value="{value}"{attrs}>'
    '\n        <label class="nhsuk-label nhsuk-checkboxes__label" for="{id}">{label}</label>'
    "\n      </div>"
)


def _without_options(bound_field: BoundField) -> BoundField:
    """The same field with no options: what the form pack works out about a field (label, hint,
    errors, ids) without the pack's option-by-option work (Django's dict for each option, its
    attributes, two `format_html` calls and a template loop: about 45 µs an option)."""
    field = copy.copy(bound_field.field)
    field.widget = copy.copy(field.widget)
    field.widget.choices = []  # a ChoiceWidget's
    return BoundField(bound_field.form, field, bound_field.name)


@register.simple_tag
def claim_checkboxes(bound_field: BoundField) -> str:
    """The payment batch form's claims, up to 200 NHS.UK checkboxes: the markup `{{ form|crispy }}`
    writes for a CheckboxSelectMultiple (the form pack's fieldset,
    legend, hint and error message; each checkbox written here)."""
    widget = bound_field.field.widget
    base_id = widget.attrs.get("id") or bound_field.auto_id
    # Every checkbox's attributes but its id, as the pack gives them (Django's, aria-invalid="true"
    # when the field has an error; the pack's class; no aria-describedby, which the fieldset has).
    attrs = {**widget.attrs, **bound_field.build_widget_attrs({"id": base_id} if base_id else {})}
    for name in ("id", "aria-describedby", "checked"):
        attrs.pop(name, None)
    attrs["class"] = " ".join(dict.fromkeys(f"nhsuk-checkboxes__input {attrs.get('class', '')}".split()))
    unchecked, checked = flatatt(attrs), flatatt({**attrs, "checked": True})
    chosen = set(widget.format_value(bound_field.value()))
    html_name = escape(bound_field.html_name)
    items = "".join(
        _CHECKBOX_ITEM.format(
            id=escape(f"{base_id}_{index}") if base_id else "",
            name=html_name,
            value=escape(str(value)),
            attrs=checked if str(value) in chosen else unchecked,
            label=escape(str(label)),
        )
        for index, (value, label) in enumerate(bound_field.field.choices)  # type: ignore[attr-defined]
    )
    return render_to_string(
        "payments/_claim_checkboxes.html",
        {"f": build_field_view(_without_options(bound_field)), "items": mark_safe(items)},  # noqa: S308 - escaped
    )
