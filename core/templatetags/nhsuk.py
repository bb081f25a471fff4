"""Template tags for NHS.UK frontend markup.

The crispy-forms template pack in ``templates/nhsuk/`` writes the HTML; these helpers
work out the facts the templates need about a bound field (which kind of control it is,
the ids that tie the label, hint and error message to it, the link target for the error
summary) and render Django's widgets with the NHS.UK classes added.

    {% load nhsuk %}
    {% nhsuk_field field as f %}        -> a FieldView (see below)
    {% nhsuk_control f %}               -> the <input>/<select>/<textarea> with NHS classes
    {{ form|nhsuk_error_list }}         -> [{"text": ..., "href": "#id_x" or ""}]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django import forms, template
from django.core.validators import EmailValidator
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The widget kinds the pack renders, each with its own NHS.UK component.
HIDDEN = "hidden"
CHECKBOX = "checkbox"  # a single checkbox (BooleanField)
CHECKBOXES = "checkboxes"  # CheckboxSelectMultiple
RADIOS = "radios"
SELECT = "select"
TEXTAREA = "textarea"
FILE = "file"
PASSWORD = "password"
MULTI = "multi"  # MultiWidget / SelectDateWidget: a group of inputs in a fieldset
INPUT = "input"

CONTROL_CLASSES = {
    INPUT: ("nhsuk-input", "nhsuk-input--error"),
    PASSWORD: (
        "nhsuk-input nhsuk-password-input__input nhsuk-js-password-input-input",
        "nhsuk-input--error",
    ),
    TEXTAREA: ("nhsuk-textarea", "nhsuk-textarea--error"),
    SELECT: ("nhsuk-select", "nhsuk-select--error"),
    FILE: ("nhsuk-file-upload__input", ""),
    CHECKBOX: ("nhsuk-checkboxes__input", ""),
}


def widget_kind(bound_field: BoundField) -> str:
    widget = bound_field.field.widget
    if bound_field.is_hidden or isinstance(widget, forms.MultipleHiddenInput):
        return HIDDEN
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return CHECKBOXES
    if isinstance(widget, forms.RadioSelect):
        return RADIOS
    if isinstance(widget, forms.CheckboxInput):
        return CHECKBOX
    if isinstance(widget, forms.Select):  # also SelectMultiple and NullBooleanSelect
        return SELECT
    if isinstance(widget, forms.Textarea):
        return TEXTAREA
    if isinstance(widget, forms.FileInput):
        return FILE
    if isinstance(widget, forms.PasswordInput):
        return PASSWORD
    if isinstance(widget, forms.MultiWidget | forms.SelectDateWidget):
        return MULTI
    return INPUT


def _base_id(bound_field: BoundField) -> str:
    """The id the field's control (or its first option) is built from."""
    return str(bound_field.field.widget.attrs.get("id") or bound_field.auto_id or bound_field.html_name)


def _join_classes(*parts: str | None) -> str:
    seen: list[str] = []
    for part in parts:
        for name in (part or "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


@dataclass
class Option:
    """One radio button or checkbox of a choice field."""

    id: str
    label: str
    input_html: str
    block_class: str = "nhsuk-checkboxes"

    @property
    def item_html(self) -> str:
        """The option's item in the group, built here: a template loop over 200 options (the
        payment batch form) cost 9 ms in variable lookups alone."""
        return format_html(
            '\n      <div class="{0}__item">\n        {1}\n'
            '        <label class="nhsuk-label {0}__label" for="{2}">{3}</label>\n      </div>',
            self.block_class,
            self.input_html,
            self.id,
            self.label,
        )


@dataclass
class Part:
    """One input of a MultiWidget (for example the day, month or year of a date)."""

    id: str
    label: str
    control_html: str


@dataclass
class FieldView:
    """Everything a template needs to draw one field the NHS.UK way."""

    field: BoundField
    kind: str
    id: str
    label: str
    hint: str
    hint_id: str
    error_id: str
    errors: list[str]
    describedby: str
    anchor: str  # the id the error summary links to
    is_page_heading: bool
    optional: bool
    options: list[Option] = dc_field(default_factory=list)
    parts: list[Part] = dc_field(default_factory=list)
    # Presentation choices from a crispy FormHelper or Layout (or their defaults).
    show_label: bool = True
    label_class: str = ""
    wrapper_class: str = ""
    inline: bool = False

    @property
    def has_error(self) -> bool:
        return bool(self.errors)

    # The label, legend, hint and error message of every field are built here rather than in an
    # included template each: two includes per field were a third of a filter form's cost.

    @property
    def label_html(self) -> str:
        """`<label>` (inside an `<h1>` when the field is the page's one question)."""
        if self.is_page_heading:
            return format_html(
                '<h1 class="nhsuk-label-wrapper">\n    <label class="nhsuk-label nhsuk-label--l" for="{}">{}</label>'
                "\n  </h1>\n",
                self.id,
                self.label,
            )
        return format_html(
            '<label class="{}" for="{}">{}</label>\n', self._heading_classes("nhsuk-label"), self.id, self.label
        )

    @property
    def legend_html(self) -> str:
        """`<legend>` of a fieldset (radios, checkboxes, a date)."""
        if self.is_page_heading:
            return format_html(
                '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">\n'
                '      <h1 class="nhsuk-fieldset__heading">{}</h1>\n    </legend>\n',
                self.label,
            )
        return format_html(
            '<legend class="{}">{}</legend>\n', self._heading_classes("nhsuk-fieldset__legend"), self.label
        )

    def _heading_classes(self, base: str) -> str:
        classes = [base]
        if self.label_class:
            classes.append(self.label_class)
        if not self.show_label:
            classes.append("nhsuk-u-visually-hidden")
        return " ".join(classes)

    @property
    def hint_and_error_html(self) -> str:
        """The hint (help text is the portal's own, so it may hold markup) and the error message."""
        html = ""
        if self.hint:
            html += format_html('\n  <div class="nhsuk-hint" id="{}">{}</div>', self.hint_id, mark_safe(self.hint))  # noqa: S308 - help_text is written in the portal's code, never by a user
        if self.errors:
            html += format_html(
                '\n  <span class="nhsuk-error-message" id="{}"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>',
                self.error_id,
                mark_safe("<br>".join(conditional_escape(error) for error in self.errors)),  # noqa: S308 - each error escaped
            )
        return mark_safe(html + "\n")  # noqa: S308 - built from format_html above


def _label_text(bound_field: BoundField, kind: str) -> tuple[str, bool]:
    text = str(bound_field.label or "")
    # NHS.UK style marks the optional questions, not the required ones. A single checkbox is
    # optional by nature ("Tell me about new activities"), so it is not marked.
    optional = not bound_field.field.required and kind not in (CHECKBOX, HIDDEN)
    if optional and text and not text.rstrip().endswith("(optional)"):
        text = f"{text} (optional)"
    return text, optional


def _lower_first(text: str) -> str:
    """ "Full name" -> "full name", but "NHS number" stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


# Labels that are already an instruction ("Create a password", "Type the password again")
# make a good error message as they are; "Enter create a password" would not.
_INSTRUCTION_VERBS = {
    "add",
    "choose",
    "confirm",
    "create",
    "describe",
    "enter",
    "explain",
    "give",
    "list",
    "pick",
    "re-enter",
    "repeat",
    "say",
    "select",
    "tell",
    "tick",
    "type",
    "upload",
    "write",
}


def _required_message(bound_field: BoundField, kind: str) -> str:
    name = str(bound_field.label or "").strip()
    question = not name or name.endswith("?")
    first_word = name.split(" ", 1)[0].lower() if name else ""
    if first_word in _INSTRUCTION_VERBS and kind != CHECKBOX:
        return name.rstrip(".:")
    if kind == CHECKBOX:
        return f"Select “{name}” to continue" if name else "Select the box to continue"
    if kind == FILE:
        return "Choose a file to upload"
    if kind in (RADIOS, SELECT, CHECKBOXES):
        return "Select an answer" if question else f"Select {_lower_first(name)}"
    return "Enter an answer" if question else f"Enter {_lower_first(name)}"


def plain_english_errors(bound_field: BoundField, kind: str | None = None) -> list[str]:
    """The field's error messages, with Django's generic ones made specific to the question.

    "This field is required." says nothing about what to do, so it becomes "Enter full name" or
    "Select region"; Django's email message gets an example. Messages a form sets itself are
    shown as they are.
    """
    kind = kind or widget_kind(bound_field)
    required_default = str(forms.Field.default_error_messages["required"])
    email_default = str(EmailValidator.message)
    messages = []
    for error in bound_field.errors.as_data():
        text = " ".join(str(m) for m in error)
        if error.code == "required" and text == required_default:
            text = _required_message(bound_field, kind)
        elif error.code == "invalid" and text == email_default:
            text = "Enter an email address in the correct format, like name@example.com"
        messages.append(text)
    return messages


def _page_heading_field(bound_field: BoundField) -> str | None:
    return getattr(bound_field.form, "nhsuk_page_heading_field", None)


def build_field_view(
    bound_field: BoundField,
    *,
    show_errors: bool = True,
    hide_hint: bool = False,
) -> FieldView:
    kind = widget_kind(bound_field)
    base_id = _base_id(bound_field)
    label_text, optional = _label_text(bound_field, kind)
    hint = "" if hide_hint else str(bound_field.help_text or "")
    errors = plain_english_errors(bound_field, kind) if show_errors else []
    hint_id = f"{base_id}-hint" if hint else ""
    error_id = f"{base_id}-error" if errors else ""
    describedby = " ".join(x for x in (hint_id, error_id) if x)
    parts = _parts(bound_field, base_id, bool(errors)) if kind == MULTI else []
    anchor = base_id
    if kind in (RADIOS, CHECKBOXES):
        anchor = bound_field.field.widget.id_for_label(base_id, "0") or base_id
    elif parts and parts[0].id:
        anchor = parts[0].id
    view = FieldView(
        field=bound_field,
        kind=kind,
        id=base_id,
        label=label_text,
        hint=hint,
        hint_id=hint_id,
        error_id=error_id,
        errors=errors,
        describedby=describedby,
        anchor=anchor,
        is_page_heading=_page_heading_field(bound_field) == bound_field.name,
        optional=optional,
        options=_options(bound_field, kind) if kind in (RADIOS, CHECKBOXES) else [],
        parts=parts,
    )
    return view


def _options(bound_field: BoundField, kind: str) -> list[Option]:
    input_class = "nhsuk-radios__input" if kind == RADIOS else "nhsuk-checkboxes__input"
    options = []
    for widget in bound_field.subwidgets:
        data = widget.data
        attrs = dict(data["attrs"])
        attrs["class"] = _join_classes(input_class, attrs.get("class"))
        option_id = attrs.pop("id", "")
        attrs.pop("aria-describedby", None)  # the fieldset carries it, not each option
        if data.get("selected"):
            attrs["checked"] = True
        else:
            attrs.pop("checked", None)
        value = "" if data["value"] is None else str(data["value"])
        input_html = format_html(
            '<input id="{}" name="{}" type="{}" value="{}"{}>',
            option_id,
            data["name"],
            data["type"],
            value,
            flatatt(attrs),
        )
        options.append(
            Option(
                id=option_id,
                label=str(data["label"]),
                input_html=input_html,
                block_class="nhsuk-radios" if kind == RADIOS else "nhsuk-checkboxes",
            )
        )
    return options


def _part_label(widget: forms.Widget, suffix: str, index: int) -> str:
    name = suffix.strip("_")
    if name and not name.isdigit():
        return name.replace("_", " ").capitalize()
    if isinstance(widget, forms.DateInput):
        return "Date"
    if isinstance(widget, forms.TimeInput):
        return "Time"
    return f"Part {index + 1}"


def _parts(bound_field: BoundField, base_id: str, has_error: bool) -> list[Part]:
    """The inputs of a MultiWidget or SelectDateWidget, each with its own label."""
    widget = bound_field.field.widget
    value = bound_field.value()
    context = widget.get_context(bound_field.html_name, value, {"id": base_id})
    subwidgets = context["widget"].get("subwidgets", [])
    renderer = bound_field.form.renderer
    parts = []
    for index, given in enumerate(subwidgets):
        sub_widget = widget.widgets[index] if isinstance(widget, forms.MultiWidget) else forms.Select()
        attrs = dict(given.get("attrs") or {})
        is_select = given.get("template_name", "").endswith("select.html")
        base_class = "nhsuk-select" if is_select else "nhsuk-input nhsuk-date-input__input"
        error_class = ("nhsuk-select--error" if is_select else "nhsuk-input--error") if has_error else ""
        attrs["class"] = _join_classes(base_class, error_class, attrs.get("class"))
        attrs.pop("placeholder", None)
        sub = {**given, "attrs": attrs}
        if isinstance(widget, forms.SelectDateWidget):
            suffix = sub["name"][len(bound_field.html_name) :]
        else:
            names = getattr(widget, "widgets_names", [f"_{i}" for i in range(len(widget.widgets))])
            suffix = names[index] if index < len(names) else f"_{index}"
        label = _part_label(sub_widget, suffix, index)
        if "width" not in attrs["class"]:
            attrs["class"] = _join_classes(attrs["class"], _part_width(label, sub_widget, is_select))
        # Django's own widget templates write the <input>/<select>; they escape every value.
        html = mark_safe(renderer.render(sub["template_name"], {"widget": sub}))  # noqa: S308
        parts.append(Part(id=str(attrs.get("id", "")), label=label, control_html=html))
    return parts


def _part_width(label: str, widget: forms.Widget, is_select: bool) -> str:
    if is_select:
        return ""
    widths = {"Day": "2", "Month": "2", "Year": "4", "Date": "10", "Time": "5"}
    return f"nhsuk-input--width-{widths.get(label, '10')}"


def _context_flag(context: template.Context, name: str, default: bool = True) -> bool:
    """A crispy flag such as ``form_show_errors``: missing means the default, not False."""
    value = context.get(name, default)
    return default if value is None or value == "" else bool(value)


@register.simple_tag(takes_context=True)
def nhsuk_field(
    context: template.Context,
    bound_field: BoundField,
    hide_hint: bool = False,
) -> FieldView:
    """``{% nhsuk_field field as f %}``: facts about a bound field for the pack's templates.

    ``hide_hint`` leaves out the field's help text (when the page says it another way).
    """
    view = build_field_view(
        bound_field,
        show_errors=_context_flag(context, "form_show_errors"),
        hide_hint=bool(hide_hint),
    )
    view.show_label = _context_flag(context, "form_show_labels")
    view.label_class = str(context.get("label_class") or "")
    view.wrapper_class = str(context.get("wrapper_class") or "")
    view.inline = bool(context.get("inline_class"))
    return view


@register.simple_tag
def nhsuk_control(view: FieldView, drop_placeholder: bool = False, extra_class: str = ""):
    """Render the field's widget with the NHS.UK classes and aria-describedby added."""
    bound_field = view.field
    if not view.describedby and bound_field.help_text:
        # The page leaves the hint out: stop Django pointing aria-describedby at a hint that is not there.
        help_text, bound_field.help_text = bound_field.help_text, ""
        try:
            return nhsuk_control(view, drop_placeholder=drop_placeholder, extra_class=extra_class)
        finally:
            bound_field.help_text = help_text
    widget = bound_field.field.widget
    base_class, error_class = CONTROL_CLASSES.get(view.kind, CONTROL_CLASSES[INPUT])
    classes = [base_class]
    if view.has_error and error_class:
        classes.append(error_class)
    existing = widget.attrs.get("class", "")
    if view.kind == INPUT and isinstance(widget, forms.DateInput) and "width" not in existing:
        classes.append("nhsuk-input--width-10")
    attrs: dict[str, Any] = {"class": _join_classes(*classes, existing, extra_class)}
    if view.describedby:
        attrs["aria-describedby"] = view.describedby
    if view.kind == PASSWORD:
        attrs.setdefault("spellcheck", "false")
        attrs.setdefault("autocapitalize", "none")
    if view.kind == INPUT and isinstance(widget, forms.EmailInput | forms.URLInput):
        attrs.setdefault("spellcheck", "false")
    if drop_placeholder:
        attrs["placeholder"] = False
    if isinstance(widget, forms.ClearableFileInput):
        # Only the file <input>: the template shows the current file and the "remove" box itself.
        plain = forms.FileInput(attrs=widget.attrs)
        plain.allow_multiple_selected = widget.allow_multiple_selected
        return bound_field.as_widget(widget=plain, attrs=attrs)
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def nhsuk_error_items(form: forms.BaseForm | None = None, errors: Any = None) -> list[dict[str, str]]:
    """``{% nhsuk_error_items form=form errors=errors as items %}`` for the error summary.

    ``errors`` (a list of messages, or of ``{"text": ..., "href": ...}``) is for pages whose
    problems do not come from a form; otherwise the form's errors are listed.
    """
    if errors:
        if isinstance(errors, str):
            errors = [errors]
        items = []
        for error in errors:
            if isinstance(error, dict):
                items.append({"text": str(error.get("text", "")), "href": str(error.get("href") or "")})
            else:
                items.append({"text": str(error), "href": ""})
        return items
    return nhsuk_error_list(form)


# Set on a form once its error summary is on the page, so the form does not show a second one.
_SUMMARY_SHOWN = "_nhsuk_error_summary_shown"


@register.simple_tag(takes_context=True)
def nhsuk_page_error_summary(context: template.Context) -> str:
    """The error summary at the top of the main content, before the page's <h1>, as the NHS.UK
    pattern asks. base.html calls it for the page's ``form`` (or ``error_summary_form`` when a
    page's form has another name); the form itself then leaves its summary out.
    """
    form = context.get("error_summary_form") or context.get("form")
    if not isinstance(form, forms.BaseForm) or not nhsuk_error_list(form):
        return ""
    html = render_to_string(
        "includes/error_summary.html", {"form": form, "page_top": True}, request=context.get("request")
    )
    setattr(form, _SUMMARY_SHOWN, True)
    return html


@register.filter
def nhsuk_summary_pending(form: forms.BaseForm | None) -> bool:
    """True unless the page has already shown this form's error summary at the top."""
    return not getattr(form, _SUMMARY_SHOWN, False)


@register.filter
def nhsuk_error_list(form: forms.BaseForm | None) -> list[dict[str, str]]:
    """Every error of a form, in page order, for the error summary.

    Non-field errors come first and have no link. A field's error links to its control, or to
    the first radio button or checkbox of a group, so that following the link moves focus to it.
    """
    if form is None or not getattr(form, "is_bound", False) or not form.errors:
        return []
    items = [{"text": str(error), "href": ""} for error in form.non_field_errors()]
    for bound_field in form:
        if not bound_field.errors:
            continue
        if bound_field.is_hidden:
            items.extend({"text": e, "href": ""} for e in plain_english_errors(bound_field))
            continue
        view = build_field_view(bound_field)
        items.extend({"text": error, "href": f"#{view.anchor}"} for error in view.errors)
    return items


@register.simple_tag
def nhsuk_clear_checkbox(bound_field: BoundField) -> dict[str, Any] | None:
    """For a ClearableFileInput with a file already saved: the file name and the "remove" box."""
    widget = bound_field.field.widget
    if not isinstance(widget, forms.ClearableFileInput):
        return None
    value = bound_field.value()
    if not value or not getattr(value, "name", None) or not hasattr(value, "url"):
        return None
    name = bound_field.html_name
    return {
        "filename": str(value.name).rsplit("/", 1)[-1],
        "can_clear": not bound_field.field.required,
        "checkbox_name": widget.clear_checkbox_name(name),
        "checkbox_id": widget.clear_checkbox_id(widget.clear_checkbox_name(name)),
    }


@register.filter
def nhsuk_button_class(tags: Any) -> str:
    """CSS classes for a button given allauth-style tags ("secondary", "danger", "link"...)."""
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    tags = set(tags or [])
    if tags & {"danger", "delete", "warning"}:
        return "nhsuk-button nhsuk-button--warning"
    if tags & {"secondary", "outline", "cancel"}:
        return "nhsuk-button nhsuk-button--secondary"
    return "nhsuk-button"


@register.simple_tag(takes_context=True)
def nhsuk_page_url(context: template.Context, page_number: int, query: str = "") -> str:
    """``?page=N`` keeping the other query-string parameters (``query`` is already urlencoded,
    without ``page``). Without ``query`` the current request's parameters are kept."""
    if not query:
        request = context.get("request")
        if request is not None:
            params = request.GET.copy()
            params.pop("page", None)
            query = params.urlencode()
    return f"?{query}&page={page_number}" if query else f"?page={page_number}"


@register.filter
def nhsuk_page_range(page_obj: Any, on_each_side: int = 2) -> list[int | None]:
    """Page numbers to show in numbered pagination, with ``None`` for an ellipsis."""
    paginator = page_obj.paginator
    pages = paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=1)
    return [None if page == paginator.ELLIPSIS else int(page) for page in pages]


_BOOTSTRAP_BUTTON_CLASSES = {
    "btn": "",
    "btn-primary": "",
    "btn-default": "",
    "btn-secondary": "nhsuk-button--secondary",
    "btn-outline-primary": "nhsuk-button--secondary",
    "btn-outline-secondary": "nhsuk-button--secondary",
    "btn-light": "nhsuk-button--secondary",
    "btn-danger": "nhsuk-button--warning",
    "btn-warning": "nhsuk-button--warning",
    "secondary": "nhsuk-button--secondary",
    "warning": "nhsuk-button--warning",
    "danger": "nhsuk-button--warning",
}


@register.filter
def nhsuk_button_classes(classes: str, input_type: str = "submit") -> str:
    """Classes for a crispy Submit/Button: crispy's Bootstrap defaults become NHS.UK ones.

    ``Submit("save", "Save")`` gives ``nhsuk-button``; ``css_class="secondary"`` (or
    ``btn-secondary``) the secondary button; ``css_class="warning"`` (or ``btn-danger``) the red
    warning button for actions that delete or cannot be undone. Other classes are kept.
    """
    result = ["nhsuk-button"]
    for name in str(classes or "").split():
        mapped = _BOOTSTRAP_BUTTON_CLASSES.get(name, name)
        if mapped and mapped not in result:
            result.append(mapped)
    if input_type in ("button", "reset") and len(result) == 1:
        result.append("nhsuk-button--secondary")
    return " ".join(result)


@register.filter
def nhsuk_strict_button_attrs(flat_attrs: str) -> str:
    """A crispy StrictButton's attributes with its Bootstrap classes turned into NHS.UK ones."""

    def replace(match: re.Match[str]) -> str:
        return f'class="{nhsuk_button_classes(match.group(1), "submit")}"'

    # The attribute string was built by flatatt(), so its values are already escaped.
    return mark_safe(re.sub(r'class="([^"]*)"', replace, str(flat_attrs)))  # noqa: S308


@register.simple_tag
def nhsuk_relabel(form: forms.BaseForm, name: str, label: str, help_text: str | None = None, **attrs: Any) -> str:
    """Give a field of a form we do not own (allauth's) a plainer label or hint, for this page.

    ``{% nhsuk_relabel form "login" "Email address" %}`` before the form is drawn. Extra
    keyword arguments become attributes of the control (``inputmode="numeric"``; ``class`` is
    added to the NHS.UK classes). It changes only this form instance (Django copies fields and
    widgets for each form), so the error summary and the field agree. Renders nothing.
    """
    if form is None or name not in getattr(form, "fields", {}):
        return ""
    form.fields[name].label = label
    widget = form.fields[name].widget
    for key, value in attrs.items():
        if key == "class":
            widget.attrs["class"] = _join_classes(widget.attrs.get("class"), str(value))
        else:
            widget.attrs[key] = value
    if help_text is not None:
        form.fields[name].help_text = help_text
    cached = getattr(form, "_bound_fields_cache", {}).get(name)
    if cached is not None:
        cached.label = label
        if help_text is not None:
            cached.help_text = help_text
    return ""


@register.filter
def nhsuk_group(value: Any, size: int = 4) -> str:
    """ "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": long codes are easier to read and type."""
    text = str(value or "")
    return " ".join(text[i : i + size] for i in range(0, len(text), int(size)))
