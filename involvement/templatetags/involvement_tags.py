"""Template filters for activities."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from involvement.models import ActivityStatus

register = template.Library()

# NHS.UK tag colours: grey for cancelled, green for completed, blue for planned.
STATUS_TAGS = {
    ActivityStatus.CANCELLED: ("grey", "Cancelled"),
    ActivityStatus.COMPLETED: ("green", "Completed"),
}
PLANNED_TAG = ("blue", "Planned")


@register.filter
def activity_tag(activity: Any) -> SafeString:
    """The activity's status as an NHS.UK tag (a filter, not an include: it is drawn on every row
    of the activity lists)."""
    colour, label = STATUS_TAGS.get(activity.status, PLANNED_TAG)
    return format_html('<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', colour, label)
