"""The one base class for errors a service raises when a change is not allowed.

A domain error says, in plain English, why; when it is about one thing the person typed it also
names that form field, so a view can put the message next to it without reading the words:

    try:
        services.claim_add_expense_line(...)
    except ClaimError as exc:
        add_form_error(form, exc)

`field` is None when the message is about the whole form (it then goes in the error summary only).
Each app has one subclass (ClaimError, PartnerError, ForumError, ...) so a view catches only its
own app's refusals; a subclass may name the field its errors are usually about (`default_field`:
a rejected receipt is about the receipt)."""

from __future__ import annotations

from django.forms import BaseForm


class DomainError(Exception):
    """A change the rules do not allow. `str(error)` is the message for the person."""

    default_field: str | None = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field if field is not None else self.default_field

    def __str__(self) -> str:
        return self.message


def add_form_error(form: BaseForm, error: DomainError) -> None:
    """Show a refusal on a form: next to the field it names when the form has that field, in the
    error summary otherwise (a service does not know which form asked)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
