"""A form that creates something does it once, however many times it is sent.

A double click, a slow connection that makes someone press the button again, or the back button
and "send again" all post the same form twice. The browser's own guard (NHS.UK's
`data-prevent-double-click`) cannot stop a retry, so the server does:

1. the form carries a hidden one-time token, made when the form is shown (`SubmissionTokenField`);
2. the service that creates the thing calls `submit_once(token=..., actor=...)` inside its
   transaction, before it writes, and `.made(thing)` after. That writes a row with the token as
   its unique key, in the same transaction as the thing itself;
3. a second send of the same token finds the row (or waits on the unique index until the first
   send commits, then finds it) and gets `AlreadySubmitted`, which says what the first one made.
   Views treat it as success and send the person to the same place as the first time.

If the first send fails (a mistake on the form, a refused claim), its transaction rolls back and
takes the token row with it, so the corrected form can be sent with the same token.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.db import IntegrityError, models, transaction

from accounts.models import User
from core.models import Submission

TOKEN_FIELD = "submission_token"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}", re.ASCII)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubmissionTokenField(forms.CharField):
    """The hidden one-time token. A fresh one each time an empty form is shown; a form shown again
    with errors keeps the token it was sent with (nothing was made, so it is still unused)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", new_token)
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


class AlreadySubmitted(Exception):
    """This form was sent before and what it made was saved. `made_id` is that thing's key."""

    def __init__(self, *, made_type: str, made_id: str) -> None:
        super().__init__("This form has already been sent, so nothing was added again.")
        self.made_type = made_type
        self.made_id = made_id


class Once:
    def __init__(self, row: Submission | None) -> None:
        self._row = row

    def made(self, thing: models.Model) -> None:
        """Record what the first send made, so that a second send can be pointed at it."""
        if self._row is None:
            return
        self._row.made_type = thing._meta.label_lower
        self._row.made_id = str(thing.pk)
        self._row.save(update_fields=["made_type", "made_id"])


def submit_once(*, token: str | None, actor: User | None) -> Once:
    """Use up `token` in the caller's transaction, or raise AlreadySubmitted if it has been used.

    A missing or malformed token (a service called from code, not a form) is no protection and
    no error: the call does nothing."""
    if not token or not _TOKEN_SHAPE.fullmatch(token):
        return Once(None)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("submit_once must run inside the transaction that makes the thing.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            row = Submission.objects.create(token=token, user=user)
    except IntegrityError:
        earlier = Submission.objects.get(token=token)
        raise AlreadySubmitted(made_type=earlier.made_type, made_id=earlier.made_id) from None
    return Once(row)
