from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Organisation
from accounts.roles import Role
from core.forms import DateField, FilterForm


class InvitationForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    email = forms.EmailField(
        label="Email address",
        help_text="We will send an invitation link to this address. It works for 14 days.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the organisation they will join"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="Everyone on the staff signs in with a password and a code from an authenticator app.",
        error_messages={"required": "Choose their role"},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="New role", choices=Role.choices, widget=forms.RadioSelect, error_messages={"required": "Choose a role"}
    )


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=200, error_messages={"required": "Enter your name"})
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common words and your name.",
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The passwords do not match")
        return data


class MyAccountForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your name"})


class AuditFilterForm(FilterForm):
    action = forms.CharField(
        label="What happened",
        help_text="A word or two, for example: role, approved, personal data",
        required=False,
        max_length=100,
    )
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False, empty_label="All you can see"
    )
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="To", required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data
