"""The programme filter on list pages: a menu when there are few programmes, a search box when many.

A network admin can see about 2,000 programmes; a menu of them all made the claims queue and the
activity list slow to send and hard to use. With more than `MAX_OPTIONS` programmes the filter is a
text box: type part of the programme's name (or its number)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from programmes.models import Programme

MAX_OPTIONS = 200


def programme_filter_field(programmes: QuerySet[Programme], *, empty_label: str = "Any programme") -> forms.Field:
    """A menu of the programmes (one query, at most MAX_OPTIONS + 1 rows), or a search box."""
    options = list(programmes.values_list("pk", "name")[: MAX_OPTIONS + 1])  # tuples: no model for each
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


def programme_filter_q(value: Any, *, field: str = "programme") -> Q | None:
    """The condition for a value of `programme_filter_field`: a number is the programme's id,
    other text a part of its name. None when nothing was chosen."""
    text = str(value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return Q(**{f"{field}_id": int(text)})
    return Q(**{f"{field}__name__icontains": text})
