"""The portal's form renderer writes <select> and <input> as Django's own templates would."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.form_renderer import PortalFormRenderer, select


class Everything(forms.Form):
    name = forms.CharField(max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField()
    count = forms.IntegerField(min_value=0)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput)
    kind = forms.ChoiceField(choices=[("", "Any"), ("a", "A & <b>"), ("b", 'Quote "b"')])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("Veg", [("leek", mark_safe("<i>Leek</i>"))])]
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])
    number = forms.TypedChoiceField(choices=[(1, 1), (2, 2.5)], coerce=int)


def _render(renderer, data=None):
    form = Everything(data, renderer=renderer)
    return {name: " ".join(str(form[name]).split()) for name in form.fields}


def test_every_widget_matches_djangos_templates_empty_and_bound():
    data = {
        "name": 'A "quoted" <name>',
        "email": "x@example.org",
        "count": "3",
        "secret": "s&cret",
        "hidden": "h",
        "day": "2026-12-03",
        "kind": "a",
        "grouped": "leek",
        "many": ["1", "3"],
        "number": "2",
    }
    for bound in (None, data):
        ours, djangos = _render(PortalFormRenderer(), bound), _render(DjangoTemplates(), bound)
        assert ours == djangos
    assert 'value="A &quot;quoted&quot; &lt;name&gt;"' in _render(PortalFormRenderer(), data)["name"]
    assert '<option value="a" selected>A &amp; &lt;b&gt;</option>' in _render(PortalFormRenderer(), data)["kind"]


def test_a_select_with_a_custom_option_template_uses_the_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/select_option.html#custom"

    widget = Custom(choices=[("a", "A")])
    context = widget.get_context("pick", "a", {})
    assert select(context["widget"]) is None
