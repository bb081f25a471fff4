"""The one base class for errors a service raises when a change is not allowed.

A domain error says, in plain English, why; when it is about one thing the person typed it also
names that form field, so a view can put the message next to it without reading the words:

    try:
        services.claim_add_expense_line(...)
    except ClaimError as exc:
        form.add_error(exc.field, str(exc))

`field` is None when the message is about the whole form (it then goes in the error summary only)."""

from __future__ import annotations


class DomainError(Exception):
    """A change the rules do not allow. `str(error)` is the message for the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
