"""Showing a claim's state: a coloured NHS.UK tag and a plain-English "what happens next"."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

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


@register.filter
def claim_tag(claim: Any) -> SafeString:
    status = getattr(claim, "status", claim)
    label = claim.get_status_display() if hasattr(claim, "get_status_display") else str(status)
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', COLOURS.get(status, "grey"), label)


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
