from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Organisation
from core.quarters import FinancialQuarter, QuarterError
from reports.indicators import THEMES
from reports.services import NARRATIVE_MAX_LENGTH

QUARTERS_OFFERED = 8


def quarter_choices(today: Any = None) -> list[tuple[str, str]]:
    """The current quarter and the seven before it, newest first."""
    current = FinancialQuarter.current(today)
    return [(q.slug, f"{q.label} ({q.months_label})") for q in reversed(current.last(QUARTERS_OFFERED))]


class CompileForm(forms.Form):
    scope: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Report for",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose whose report to compile",
            "invalid_choice": "Choose an organisation whose reports you can compile",
        },
    )
    quarter = forms.ChoiceField(
        label="Quarter",
        help_text="Quarters of the financial year: Q1 is April to June.",
        error_messages={"required": "Choose a quarter", "invalid_choice": "Choose one of the quarters in the list"},
    )

    def __init__(self, *args: Any, scopes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]
        self.fields["scope"].label_from_instance = lambda org: org.name  # type: ignore[attr-defined]
        choices = quarter_choices()
        self.fields["quarter"].choices = choices  # type: ignore[attr-defined]
        self.fields["quarter"].initial = FinancialQuarter.last_completed().slug

    def clean_quarter(self) -> FinancialQuarter:
        try:
            return FinancialQuarter.parse(self.cleaned_data["quarter"])
        except QuarterError as exc:
            raise forms.ValidationError("Choose one of the quarters in the list") from exc


class NarrativeForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, theme in THEMES.items():
            self.fields[f"theme_{key}"] = forms.CharField(
                label=f"{key}. {theme}",
                required=False,
                max_length=NARRATIVE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="A few sentences for the board: what changed and why it matters. "
                f"Up to {NARRATIVE_MAX_LENGTH} characters.",
                error_messages={"max_length": f"Keep the narrative to {NARRATIVE_MAX_LENGTH} characters"},
            )

    def narrative(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"theme_{key}", "") for key in THEMES}
