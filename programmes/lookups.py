"""The programme filter on list pages: a menu when there are few programmes, a search box when many.

A network admin can see about 2,000 programmes; a menu of them all made the claims queue and the
activity list slow to send and hard to use. With more than `MAX_OPTIONS` programmes the filter is a
text box: type part of the programme's name (or its number)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from programmes.models import Programme

MAX_OPTIONS = 200
OPTIONS_TO_READ = MAX_OPTIONS + 1  # one more than a menu holds: enough to tell a menu from a search box


def programme_filter_field(
    programmes: QuerySet[Programme] | Sequence[tuple[int, str]], *, empty_label: str = "Any programme"
) -> forms.Field:
    """A menu of the programmes, or a search box: `programmes` is a queryset (read here, one query)
    or its first OPTIONS_TO_READ (id, name) rows by name, already read."""
    if isinstance(programmes, QuerySet):
        programmes = list(programmes.order_by("name").values_list("pk", "name")[:OPTIONS_TO_READ])
    options = list(programmes)
    if len(options) <= MAX_OPTIONS:
        return forms.ChoiceField(
            label="Programme",
            required=False,
            choices=[("", empty_label), *((str(pk), name) for pk, name in options)],
        )
    return forms.CharField(
        label="Programme",
        required=False,
        max_length=200,
        help_text="Type part of the programme's name, or its number",
    )


def programme_filter_value(value: Any) -> tuple[str, Any] | None:
    """What a value of `programme_filter_field` asks for: ("id", the programme's id) for a number,
    ("name", the text) for other text (part of the programme's name); None when nothing was chosen."""
    text = str(value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return ("id", int(text))
    return ("name", text)


def programme_q(kind: str, value: Any, *, field: str = "programme") -> Q:
    """The condition for a `programme_filter_value`; `value` may be a prepared query's placeholder."""
    if kind == "id":
        return Q(**{f"{field}_id": value})
    return Q(**{f"{field}__name__icontains": value})


def programme_filter_q(value: Any, *, field: str = "programme") -> Q | None:
    """The condition for a value of `programme_filter_field`. None when nothing was chosen."""
    chosen = programme_filter_value(value)
    return None if chosen is None else programme_q(*chosen, field=field)
