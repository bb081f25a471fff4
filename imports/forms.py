"""Forms for the import pages."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Organisation
from imports.kinds import columns_for
from imports.models import ImportKind
from imports.reading import MAX_BYTES


class UploadForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Which AHSN are these records for?",
        empty_label=None,
        error_messages={"required": "Choose the AHSN", "invalid_choice": "Choose the AHSN"},
    )
    kind = forms.ChoiceField(
        label="What does the file contain?",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        help_text="One kind of record per file. Import lay partners and programmes before activities, and "
        "activities before participation.",
        error_messages={"required": "Choose what the file contains"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV file or an Excel workbook (.xlsx), up to 20 MB.",
        error_messages={"required": "Choose a file to import", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations  # type: ignore[attr-defined]
        if organisations.count() == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations.first().pk

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.1f} MB. The largest file you can import is 20 MB: "
                "split it into smaller files (for example one per year) and import each one."
            )
        return upload


IGNORE = ""


class ColumnsForm(forms.Form):
    """For each field, which of their columns holds it."""

    def __init__(
        self, *args: Any, kind: str, headers: list[str], raw_headers: list[str], current: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, "Not in my file")] + [
            (str(i), raw or f"Column {i + 1}") for i, raw in enumerate(raw_headers)
        ]
        for column in columns_for(kind):
            self.fields[column.name] = forms.ChoiceField(
                label=column.heading + ("" if column.required else " (optional)"),
                help_text=column.explanation,
                choices=choices,
                required=column.required,
                initial=str(current[column.name]) if column.name in current else IGNORE,
                error_messages={"required": f"Choose the column with the {column.heading.lower()}"},
            )
        self.headers = headers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used: dict[str, str] = {}
        for name, value in data.items():
            if value in (None, IGNORE):
                continue
            if value in used:
                self.add_error(name, "You have chosen this column for another field too. Choose each column once")
            used[value] = name
        return data

    def columns(self) -> dict[str, int]:
        return {name: int(value) for name, value in self.cleaned_data.items() if value not in (None, IGNORE)}
