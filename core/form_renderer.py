"""The portal's form renderer: Django's templates, except for the widgets every page has.

A <select> rendered by Django's templates includes one template per option and another for each
option's attributes: a filter with 200 programmes cost about 9 ms of a 50 ms page, and a list page's
cost grew with the number of programmes at the AHSN (issue "Network scale"). Those widgets are
written here in Python instead, with the same markup and escaping as Django's templates
(django/forms/templates/django/forms/widgets/{select,select_option,input,attrs}.html). A widget
with a template of its own (the NHS.UK pack's radios, checkboxes and date inputs) still renders
through its template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's <input> types that share input.html without adding markup of their own.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "url", "number", "password", "hidden", "search", "tel", "date", "time")
)


def _text(value: Any) -> str:
    """What `{{ value }}` prints: localized, escaped unless already safe."""
    return str(conditional_escape(localize(value)))


def attributes(attrs: Mapping[str, Any]) -> str:
    """attrs.html: ` name="value"` for each attribute; True prints the bare name, False nothing."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_text(name)}")
        else:
            parts.append(f' {_text(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def option(widget: Mapping[str, Any]) -> str:
    return (
        f'<option value="{conditional_escape(str(widget["value"]))}"{attributes(widget["attrs"])}>'
        f"{_text(widget['label'])}</option>"
    )


def select(widget: Mapping[str, Any]) -> str | None:
    """select.html, or None when an option has a template of its own."""
    lines = [f'<select name="{_text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            lines.append(f'  <optgroup label="{_text(group_name)}">')
        for choice in group_choices:
            if choice.get("template_name") != OPTION:
                return None
            lines.append(f"  {option(choice)}")
        if group_name:
            lines.append("  </optgroup>")
    return "\n".join(lines) + "\n</select>"


def text_input(widget: Mapping[str, Any]) -> str:
    value = widget.get("value")
    shown = f' value="{conditional_escape(str(value))}"' if value is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{attributes(widget["attrs"])}>'


class PortalFormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's template renderer, with <select> and <input> in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None and widget.get("template_name") == template_name:
            if template_name == SELECT:
                html = select(widget)
                if html is not None:
                    return mark_safe(html)  # noqa: S308 - every value above is escaped
            elif template_name in INPUTS:
                return mark_safe(text_input(widget))  # noqa: S308 - every value above is escaped
        return super().render(template_name, context, request)
