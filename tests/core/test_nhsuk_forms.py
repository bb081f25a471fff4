"""The NHS.UK crispy-forms pack: every Django form renders the NHS.UK markup.

A user of a screen reader or a keyboard depends on these facts: the error summary links to the
control that needs fixing, each label is tied to its control, the hint and error message are
read out with the control (aria-describedby), radio buttons and checkboxes are grouped under a
question (fieldset and legend), and optional questions say so. The last tests cover the page
layout (base.html) and the small includes every page uses. No database is needed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.template import Context, Origin, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in node.classes:
                continue
            if any(node.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            found.append(node)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls} {attrs}"
        return found[0]

    def by_id(self, id_: str) -> Node:
        return self.find(id=id_)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        if data.strip():
            self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


class VolunteerForm(forms.Form):
    """A form with one of each kind of question the portal asks."""

    full_name = forms.CharField(label="Full name", help_text="As it appears on your bank account")
    email = forms.EmailField(label="Email address", required=False)
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("email", "Email"), ("phone", "Phone")],
        widget=forms.RadioSelect,
        help_text="We only use this to arrange activities",
    )
    topics = forms.MultipleChoiceField(
        label="Topics you are interested in",
        choices=[("mental-health", "Mental health"), ("diabetes", "Diabetes")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree to the involvement policy")
    start = forms.DateField(
        label="Date you can start",
        help_text="For example, 27 3 2026",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(label="Anything else", widget=forms.Textarea, required=False)
    region = forms.ChoiceField(label="Region", choices=[("", "Choose a region"), ("sw", "South West")])
    receipt = forms.FileField(label="Receipt", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        super().clean()
        raise forms.ValidationError("We could not save your answers. Try again.")


def invalid_form() -> VolunteerForm:
    form = VolunteerForm(data={"email": "not-an-email", "notes": "Hello"})
    assert not form.is_valid()
    return form


def crispy(form: forms.Form) -> Node:
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    return parse(html)


def controls(page: Node) -> list[Node]:
    return [n for n in page.iter() if n.tag in ("input", "select", "textarea") and n.attrs.get("type") != "hidden"]


def test_error_summary_comes_first_and_links_each_error_to_its_control():
    page = crispy(invalid_form())

    summary = page.find("div", cls="nhsuk-error-summary")
    first_element = next(page.iter())
    assert first_element is summary, "the error summary must be the first thing in the form"
    assert summary.attrs["tabindex"] == "-1"
    assert summary.find("div", role="alert")
    assert summary.find("h2", cls="nhsuk-error-summary__heading").text() == "There is a problem"

    items = summary.find("ul", cls="nhsuk-error-summary__list").find_all("li")
    links = {a.attrs["href"]: a.text() for a in summary.find_all("a")}
    assert links == {
        "#id_full_name": "Enter full name",
        "#id_email": "Enter an email address in the correct format, like name@example.com",
        "#id_contact_0": "Select an answer",
        "#id_topics_0": "Select topics you are interested in",
        "#id_agree": "Select “I agree to the involvement policy” to continue",
        "#id_start": "Enter date you can start",
        "#id_region": "Select region",
    }
    # The form-wide error is listed too, first and without a link.
    assert items[0].text() == "We could not save your answers. Try again."
    assert not items[0].find_all("a")
    # Every link lands on a real control, so following it moves focus there.
    for href in links:
        assert page.by_id(href[1:]).tag in ("input", "select", "textarea")


def test_every_control_has_a_label_pointing_at_it():
    page = crispy(invalid_form())

    labels = {label.attrs.get("for"): label for label in page.find_all("label")}
    for control in controls(page):
        assert control.attrs["id"] in labels, f"no label for {control.attrs['id']}"
    assert labels["id_full_name"].classes == {"nhsuk-label"}
    assert labels["id_contact_1"].text() == "Phone"
    assert "nhsuk-radios__label" in labels["id_contact_1"].classes
    assert "nhsuk-checkboxes__label" in labels["id_agree"].classes


def test_hint_and_error_message_are_read_out_with_the_control():
    page = crispy(invalid_form())

    name = page.by_id("id_full_name")
    assert name.attrs["aria-describedby"] == "id_full_name-hint id_full_name-error"
    hint = page.by_id("id_full_name-hint")
    assert "nhsuk-hint" in hint.classes
    assert hint.text() == "As it appears on your bank account"
    error = page.by_id("id_full_name-error")
    assert error.tag == "span" and "nhsuk-error-message" in error.classes
    prefix = error.find("span", cls="nhsuk-u-visually-hidden")
    assert prefix.text() == "Error:"
    assert error.text() == "Error: Enter full name"

    # A field with an error but no hint points only at the error.
    assert page.by_id("id_region").attrs["aria-describedby"] == "id_region-error"
    # A field with neither has no aria-describedby at all.
    assert "aria-describedby" not in page.by_id("id_notes").attrs


def test_error_classes_on_the_group_and_the_control():
    page = crispy(invalid_form())

    def group_of(node: Node) -> Node:
        return next(a for a in node.ancestors() if "nhsuk-form-group" in a.classes)

    expected = {
        "id_full_name": "nhsuk-input--error",
        "id_email": "nhsuk-input--error",
        "id_start": "nhsuk-input--error",
        "id_region": "nhsuk-select--error",
    }
    for control_id, error_class in expected.items():
        control = page.by_id(control_id)
        assert error_class in control.classes, control_id
        assert "nhsuk-form-group--error" in group_of(control).classes, control_id

    notes = page.by_id("id_notes")
    assert notes.classes == {"nhsuk-textarea"}
    assert "nhsuk-form-group--error" not in group_of(notes).classes
    assert notes.text() == "Hello", "what the user typed is kept"


def test_radios_and_checkboxes_are_grouped_under_their_question():
    page = crispy(invalid_form())

    for name, question, module in (
        ("contact", "How should we contact you?", "nhsuk-radios"),
        ("topics", "Topics you are interested in", "nhsuk-checkboxes"),
    ):
        first_option = page.by_id(f"id_{name}_0")
        fieldset = next(a for a in first_option.ancestors() if a.tag == "fieldset")
        assert "nhsuk-fieldset" in fieldset.classes
        legend = fieldset.find("legend", cls="nhsuk-fieldset__legend")
        assert legend.text() == question
        assert fieldset.find("div", cls=module).attrs["data-module"] == module
        options = fieldset.find_all("input")
        assert [o.attrs["id"] for o in options] == [f"id_{name}_0", f"id_{name}_1"]
        assert all(f"{module}__input" in o.classes for o in options)
        # The hint and error belong to the whole question, so the fieldset carries them.
        assert f"id_{name}-error" in fieldset.attrs["aria-describedby"].split()
        assert page.by_id(f"id_{name}-error") in fieldset.iter()

    contact_fieldset = page.by_id("id_contact-hint").parent
    assert contact_fieldset.attrs["aria-describedby"] == "id_contact-hint id_contact-error"


def test_optional_questions_say_so_and_required_ones_have_no_asterisk():
    page = crispy(VolunteerForm())

    label_text = {label.attrs.get("for"): label.text() for label in page.find_all("label")}
    assert label_text["id_email"] == "Email address (optional)"
    assert label_text["id_notes"] == "Anything else (optional)"
    assert label_text["id_receipt"] == "Receipt (optional)"
    assert label_text["id_full_name"] == "Full name"
    assert label_text["id_region"] == "Region"
    # A single checkbox is a choice in itself, so "(optional)" would read oddly.
    assert label_text["id_agree"] == "I agree to the involvement policy"
    assert "*" not in page.text()


def test_a_form_without_errors_shows_no_error_markup():
    page = crispy(VolunteerForm(initial={"full_name": "Ada"}))

    assert not page.find_all(cls="nhsuk-error-summary")
    assert not page.find_all(cls="nhsuk-error-message")
    assert not page.find_all(cls="nhsuk-form-group--error")
    assert page.by_id("id_full_name").attrs["value"] == "Ada"
    assert page.by_id("id_full_name").attrs["aria-describedby"] == "id_full_name-hint"


def test_each_kind_of_control_gets_its_nhsuk_class():
    page = crispy(VolunteerForm())

    assert page.by_id("id_full_name").classes == {"nhsuk-input"}
    assert page.by_id("id_email").attrs["type"] == "email"
    assert page.by_id("id_start").attrs["type"] == "date"
    assert "nhsuk-input--width-10" in page.by_id("id_start").classes
    assert page.by_id("id_notes").classes == {"nhsuk-textarea"}
    assert page.by_id("id_region").classes == {"nhsuk-select"}
    receipt = page.by_id("id_receipt")
    assert receipt.attrs["type"] == "file" and receipt.classes == {"nhsuk-file-upload__input"}
    assert page.by_id("id_agree").classes == {"nhsuk-checkboxes__input"}
    hidden = page.by_id("id_token")
    assert hidden.attrs["type"] == "hidden"
    assert not any(a.tag == "label" for a in hidden.iter())


def test_ids_are_unique_so_links_and_labels_are_unambiguous():
    page = crispy(invalid_form())

    ids = Counter(node.attrs["id"] for node in page.iter() if "id" in node.attrs)
    assert [i for i, n in ids.items() if n > 1] == []


def test_password_field_gets_the_show_password_button():
    class SignInForm(forms.Form):
        password = forms.CharField(label="Password", widget=forms.PasswordInput)

    page = crispy(SignInForm(data={}))
    password = page.by_id("id_password")
    assert {"nhsuk-input", "nhsuk-password-input__input", "nhsuk-input--error"} <= password.classes
    toggle = page.find("button", cls="nhsuk-password-input__toggle")
    assert toggle.attrs["aria-controls"] == "id_password"
    assert toggle.attrs["type"] == "button"
    assert "hidden" in toggle.attrs, "the button only appears once JavaScript has loaded"


def test_date_made_of_day_month_and_year_is_a_labelled_group():
    class DateForm(forms.Form):
        born = forms.DateField(
            label="Date of birth",
            help_text="For example, 15 3 1984",
            widget=forms.SelectDateWidget(years=range(1930, 2011)),
        )

    page = crispy(DateForm(data={}))
    fieldset = page.find("fieldset", role="group")
    assert fieldset.find("legend").text() == "Date of birth"
    assert fieldset.attrs["aria-describedby"] == "id_born-hint id_born-error"
    parts = [(label.attrs["for"], label.text()) for label in fieldset.find_all("label")]
    # In the order British dates are written; each part is labelled for screen readers.
    assert parts == [("id_born_day", "Day"), ("id_born_month", "Month"), ("id_born_year", "Year")]
    assert all(page.by_id(part_id).tag == "select" for part_id, _ in parts)
    summary_link = page.find("ul", cls="nhsuk-error-summary__list").find("a")
    assert summary_link.attrs["href"] == "#id_born_day"


def test_crispy_tag_renders_the_whole_form_with_layout_and_buttons():
    class ClaimForm(forms.Form):
        amount = forms.DecimalField(label="Amount in pounds")
        receipt = forms.FileField(label="Receipt")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.helper = FormHelper()
            self.helper.form_id = "claim"
            self.helper.layout = Layout(
                Fieldset("Your claim", "amount", "receipt"),
                Submit("save", "Save and continue"),
                Submit("delete", "Delete claim", css_class="warning"),
            )

    request = RequestFactory().get("/")
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": ClaimForm(data={}, files={}), "csrf_token": "token", "request": request})
    )
    page = parse(html)

    form = page.find("form", id="claim")
    assert form.attrs["method"] == "post"
    assert "novalidate" in form.attrs
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.find("input", type="hidden", name="csrfmiddlewaretoken")
    assert form.find("div", cls="nhsuk-error-summary")
    fieldset = form.find("fieldset", cls="nhsuk-fieldset")
    assert fieldset.find("legend").text() == "Your claim"
    assert fieldset.find("input", id="id_amount")
    buttons = {b.text(): b.classes for b in form.find_all("button")}
    assert buttons["Save and continue"] == {"nhsuk-button"}
    assert buttons["Delete claim"] == {"nhsuk-button", "nhsuk-button--warning"}


def test_form_include_wraps_fields_in_a_form_with_a_submit_button():
    class UploadForm(forms.Form):
        title = forms.CharField(label="Title")
        file = forms.FileField(label="File")

    request = RequestFactory().get("/")
    html = render_to_string(
        "includes/form.html",
        {"form": UploadForm(), "submit_label": "Upload", "cancel_url": "/files/"},
        request=request,
    )
    page = parse(html)

    form = page.find("form")
    assert form.attrs["method"] == "post"
    assert "novalidate" in form.attrs
    assert form.attrs["enctype"] == "multipart/form-data"
    assert form.find("input", name="csrfmiddlewaretoken")
    button = form.find("button", type="submit")
    assert button.text() == "Upload" and "nhsuk-button" in button.classes
    assert form.find("a", href="/files/").text() == "Cancel"

    plain = parse(render_to_string("includes/form.html", {"form": VolunteerForm(data={})}, request=request))
    assert plain.find("form").attrs["enctype"] == "multipart/form-data"  # has a FileField
    assert plain.find("button", type="submit").text() == "Continue"


def test_saved_file_is_named_and_can_be_removed_when_optional():
    class Stored:
        name = "receipts/2026/taxi.pdf"
        url = "/private/taxi.pdf"

        def __str__(self):
            return self.name

    class ReceiptForm(forms.Form):
        receipt = forms.FileField(label="Receipt", required=False)

    page = crispy(ReceiptForm(initial={"receipt": Stored()}))
    assert "Current file: taxi.pdf" in page.text()
    remove = page.find("input", type="checkbox")
    assert remove.attrs["name"] == "receipt-clear"
    assert page.find("label", **{"for": remove.attrs["id"]}).text() == "Remove the current file"
    assert page.by_id("id_receipt").attrs["type"] == "file"


def test_uploaded_file_is_not_echoed_back():
    class ReceiptForm(forms.Form):
        receipt = forms.FileField(label="Receipt")
        note = forms.CharField(label="Note")

    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    page = crispy(ReceiptForm(data={}, files={"receipt": upload}))
    assert "value" not in page.by_id("id_receipt").attrs


def test_allauth_form_elements_use_the_same_markup():
    class ResetForm(forms.Form):
        email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"placeholder": "Email"}))

    # allauth's {% element %} needs to know which template it is in.
    template = Template(
        "{% load allauth %}"
        '{% element form form=form method="post" action="/reset/" %}'
        "{% slot body %}{% element fields form=form %}{% endelement %}{% endslot %}"
        '{% slot actions %}{% element button type="submit" %}Send link{% endelement %}{% endslot %}'
        "{% endelement %}",
        origin=Origin(name="test.html", template_name="test.html"),
    )
    page = parse(template.render(Context({"form": ResetForm(data={"email": "nope"})})))

    form = page.find("form")
    assert form.attrs["action"] == "/reset/" and "novalidate" in form.attrs
    assert form.find("a", href="#id_email").text().startswith("Enter an email address")
    email = page.by_id("id_email")
    assert page.find("label", **{"for": "id_email"}).text() == "Email address"
    assert email.attrs["aria-describedby"] == "id_email-error"
    assert "placeholder" not in email.attrs, "NHS.UK forms use labels and hints, not placeholders"
    assert form.find("button", type="submit").classes == {"nhsuk-button"}


def test_page_heading_field_uses_its_label_as_the_h1():
    class OneQuestionForm(forms.Form):
        nhsuk_page_heading_field = "reason"
        reason = forms.ChoiceField(
            label="Why are you claiming?", choices=[("travel", "Travel")], widget=forms.RadioSelect
        )

    page = crispy(OneQuestionForm())
    legend = page.find("legend", cls="nhsuk-fieldset__legend--l")
    assert legend.find("h1", cls="nhsuk-fieldset__heading").text() == "Why are you claiming?"


# --- The page layout (base.html) ------------------------------------------------------------


def _render_page(user, nav_items=(), path="/"):
    request = RequestFactory().get(path)
    request.user = user
    template = Template(
        '{% extends "base.html" %}{% block title %}Team{% endblock %}{% block content %}<h1>Team</h1>{% endblock %}'
    )
    context = Context(
        {
            "request": request,
            "user": user,
            "service_name": "AHSN Involvement Portal",
            "nav_items": list(nav_items),
        }
    )
    return template.render(context)


def test_page_layout_has_landmarks_skip_link_and_title():
    html = _render_page(SimpleNamespace(is_authenticated=False))
    page = parse(html)

    assert html.startswith("<!DOCTYPE html>")
    assert page.find("html").attrs["lang"] == "en-GB"
    assert page.find("title").text() == "Team \N{EN DASH} AHSN Involvement Portal"
    skip = page.find("a", cls="nhsuk-skip-link")
    assert skip.attrs["href"] == "#maincontent"
    main = page.by_id("maincontent")
    assert main.tag == "main" and main.attrs["role"] == "main"
    assert "nhsuk-width-container" in main.parent.classes
    assert page.find("header", role="banner").find("a", href="/").text().endswith("AHSN Involvement Portal")
    footer = page.find("footer", role="contentinfo")
    footer_links = {a.text(): a.attrs["href"] for a in footer.find_all("a")}
    assert footer_links == {
        "Accessibility statement": "/accessibility/",
        "Privacy notice": "/privacy/",
    }
    assert "© AHSN Network" in footer.text()
    assert len(page.find_all("h1")) == 1
    assert not page.find_all("script", src=None), "no inline scripts under the CSP"
    assert page.find("script", type="module")
    assert "Sign out" not in html


@pytest.mark.parametrize("path, current", [("/team/", "page"), ("/team/invite/", "true")])
def test_signed_in_header_shows_email_sign_out_and_the_current_section(path, current):
    user = SimpleNamespace(is_authenticated=True, email="lead@wessex.example.org")
    nav = [
        SimpleNamespace(label="Home", url="/", active=False),
        SimpleNamespace(label="Team", url="/team/", active=True),
    ]
    page = parse(_render_page(user, nav, path=path))

    account = page.find("nav", cls="nhsuk-header__account")
    assert "lead@wessex.example.org" in account.text()
    assert account.find("a", href="/accounts/logout/").text() == "Sign out"
    menu = page.find("nav", cls="nhsuk-header__navigation")
    assert menu.attrs["aria-label"] == "Menu"
    team = menu.find("a", href="/team/")
    assert team.attrs["aria-current"] == current
    assert "aria-current" not in menu.find("a", href="/").attrs


def test_required_message_reuses_a_label_that_is_already_an_instruction():
    class PasswordForm(forms.Form):
        password1 = forms.CharField(label="Create a password", widget=forms.PasswordInput)
        password2 = forms.CharField(label="Type the password again", widget=forms.PasswordInput)
        nhs_number = forms.CharField(label="NHS number")

    page = crispy(PasswordForm(data={}))
    links = [a.text() for a in page.find("ul", cls="nhsuk-error-summary__list").find_all("a")]
    assert links == ["Create a password", "Type the password again", "Enter NHS number"]


def test_a_message_the_form_chose_is_shown_as_it_is():
    class NameForm(forms.Form):
        name = forms.CharField(label="Name", error_messages={"required": "Enter your name"})

    page = crispy(NameForm(data={}))
    assert page.by_id("id_name-error").text() == "Error: Enter your name"


def test_error_summary_include_takes_a_plain_list_of_problems():
    page = parse(
        render_to_string(
            "includes/error_summary.html",
            {"errors": ["You cannot remove the last lead", {"text": "Choose a date", "href": "#d"}]},
        )
    )
    items = page.find("ul", cls="nhsuk-error-summary__list").find_all("li")
    assert [li.text() for li in items] == ["You cannot remove the last lead", "Choose a date"]
    assert items[1].find("a").attrs["href"] == "#d"
    assert parse(render_to_string("includes/error_summary.html", {})).find_all("div") == []


def test_messages_are_announced_politely_and_errors_at_once():
    class Message:
        def __init__(self, level_tag, text):
            self.level_tag, self.text = level_tag, text

        def __str__(self):
            return self.text

    page = parse(
        render_to_string(
            "includes/messages.html",
            {"messages": [Message("success", "Saved"), Message("error", "Not sent")]},
        )
    )
    saved, failed = page.find_all("div", cls="nhsuk-notification-banner")
    assert "nhsuk-notification-banner--success" in saved.classes
    assert saved.attrs["role"] == "status"
    assert failed.attrs["role"] == "alert"
    for banner in (saved, failed):
        title = page.by_id(banner.attrs["aria-labelledby"])
        assert title.tag == "h2"
    assert saved.find("p").text() == "Saved"


def test_pagination_marks_the_current_page_and_keeps_the_filters():
    page_obj = Paginator(list(range(100)), 10).page(5)
    page = parse(
        render_to_string(
            "includes/pagination.html",
            {"page_obj": page_obj, "query": "action=claim&who=3"},
        )
    )
    nav = page.find("nav", cls="nhsuk-pagination")
    assert nav.attrs["aria-label"] == "Pagination"
    current = nav.find("a", aria_current="page")
    assert current.text() == "5"
    assert current.attrs["href"] == "?action=claim&who=3&page=5"
    assert nav.find("a", rel="prev").attrs["href"].endswith("page=4")
    assert nav.find("a", rel="next").attrs["href"].endswith("page=6")
    assert nav.find_all(cls="nhsuk-pagination__item--ellipsis")
    single = Paginator(list(range(5)), 10).page(1)
    assert "nhsuk-pagination" not in render_to_string("includes/pagination.html", {"page_obj": single})


def test_labels_and_errors_are_escaped_and_every_error_is_shown() -> None:
    class Escaping(forms.Form):
        title = forms.CharField(label="Title <script>", help_text="Up to <strong>60</strong> letters")
        when = forms.ChoiceField(label="When & where", choices=[("a", "A")], widget=forms.RadioSelect)

        def clean_title(self) -> str:
            raise forms.ValidationError(["Too <long>", "Not a title & more"])

    form = Escaping({"title": "x"})
    form.is_valid()
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))

    assert '<label class="nhsuk-label" for="id_title">Title &lt;script&gt;</label>' in html
    assert '<div class="nhsuk-hint" id="id_title-hint">Up to <strong>60</strong> letters</div>' in html
    assert "Too &lt;long&gt;<br>Not a title &amp; more</span>" in html
    assert '<legend class="nhsuk-fieldset__legend">When &amp; where</legend>' in html
    assert parse(html).by_id("id_title-error").text() == "Error: Too <long> Not a title & more"
