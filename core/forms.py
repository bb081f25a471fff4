"""Forms for core pages: notification preferences."""

from __future__ import annotations

from typing import Any

from django import forms

from core.models import NotificationFrequency
from core.notifications import KindGroup


class NotificationPreferencesForm(forms.Form):
    """One question per group of messages: straight away, weekly summary, or not at all."""

    def __init__(self, *args: Any, groups: list[KindGroup], initial_frequencies: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[group.key] = forms.ChoiceField(
                label=group.label,
                help_text=group.hint,
                choices=NotificationFrequency.choices,
                widget=forms.RadioSelect,
                initial=initial_frequencies.get(group.key, NotificationFrequency.IMMEDIATELY),
            )

    def frequencies(self) -> dict[str, str]:
        return {group.key: self.cleaned_data[group.key] for group in self.groups}
