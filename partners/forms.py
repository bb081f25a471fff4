from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Organisation
from core.choices import (
    CommunicationNeed,
    ContactMethod,
    InvolvementMethod,
    PaymentPreference,
    SeldomHeardGroup,
    SupportType,
)
from core.forms import DateField, FilterForm
from partners.models import PREFER_NOT_TO_SAY, ConsentRecord, EqualityMonitoring, PartnerLink
from partners.validators import normalise_postcode, normalise_uk_phone

EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com"


def _checkboxes(choices: Any, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class OnBehalfWordingMixin:
    """A profile section form staff can fill in for a lay partner: with `on_behalf=True` its
    questions and hints speak about the partner ("their", "they") instead of to them."""

    fields: dict[str, forms.Field]
    on_behalf_wording: dict[str, dict[str, str]] = {}

    def __init__(self, *args: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        if on_behalf:
            wordings: dict[str, dict[str, str]] = {}
            for klass in reversed(type(self).__mro__):  # a form made of several sections gets them all
                wordings.update(klass.__dict__.get("on_behalf_wording", {}))
            for name, wording in wordings.items():
                field = self.fields[name]
                field.label = wording.get("label", field.label)
                field.help_text = wording.get("help_text", field.help_text)
                if "required" in wording:
                    field.error_messages = {**field.error_messages, "required": wording["required"]}

    def person(self, own: str, theirs: str) -> str:
        return theirs if self.on_behalf else own


class UKContactFieldsMixin:
    """Cleans phone numbers and postcodes into one stored form, with errors people understand."""

    cleaned_data: dict[str, Any]

    def clean_phone(self) -> str:
        return normalise_uk_phone(self.cleaned_data.get("phone", ""))

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data.get("postcode", ""))

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()


def _check_contact_methods(form: forms.Form, data: dict[str, Any], field: str = "contact_methods") -> None:
    methods = data.get(field) or []
    if isinstance(methods, str):
        methods = [methods]
    if ContactMethod.EMAIL in methods and not data.get("email") and "email" not in form.errors:
        form.add_error("email", "Enter an email address, or choose another way to be contacted")
    if (
        (ContactMethod.PHONE in methods or ContactMethod.TEXT in methods)
        and not data.get("phone")
        and "phone" not in form.errors
    ):
        form.add_error("phone", "Enter a phone number, or choose another way to be contacted")
    if ContactMethod.POST in methods:
        if not data.get("address") and "address" not in form.errors:
            form.add_error("address", "Enter a postal address, or choose another way to be contacted")
        if not data.get("postcode") and "postcode" not in form.errors:
            form.add_error("postcode", "Enter a postcode, or choose another way to be contacted")


class ContactDetailsForm(OnBehalfWordingMixin, UKContactFieldsMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter a full name"})
    preferred_name = forms.CharField(
        label="Preferred name",
        max_length=100,
        required=False,
        help_text="What you would like us to call you, if it is not your full name.",
    )
    pronouns = forms.CharField(
        label="Pronouns", max_length=50, required=False, help_text="For example, she/her or they/them."
    )
    email = forms.EmailField(label="Email address", required=False, error_messages={"invalid": EMAIL_INVALID})
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        help_text="A UK landline or mobile number.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label="Postal address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "nhsuk-input--width-10"}),
    )
    contact_methods = _checkboxes(ContactMethod.choices, "How do you like to be contacted?", "Select all that apply.")

    on_behalf_wording = {
        "preferred_name": {"help_text": "What they would like us to call them, if it is not their full name."},
        "contact_methods": {"label": "How do they like to be contacted?"},
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("contact_methods") and "contact_methods" not in self.errors:
            self.add_error(
                "contact_methods",
                self.person("Select at least one way to contact you", "Select at least one way to contact them"),
            )
        _check_contact_methods(self, data)
        return data


class NeedsForm(OnBehalfWordingMixin, forms.Form):
    communication_needs = _checkboxes(
        CommunicationNeed.choices, "Do you need information in another format?", "Select all that apply."
    )
    other_language = forms.CharField(
        label="Which language?",
        max_length=100,
        required=False,
        help_text="Only if you need information in another language.",
    )
    access_needs = forms.CharField(
        label="Tell us about any access or support needs",
        required=False,
        help_text="For example, step-free access, a hearing loop, breaks, or help using a computer.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    support_tags = _checkboxes(
        SupportType.choices, "Which kinds of support would help you take part?", "Select all that apply."
    )
    carer_needs = forms.CharField(
        label="Do you have caring responsibilities we should know about?",
        required=False,
        help_text="For example, if you need to bring the person you care for, or need cover while you take part.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    on_behalf_wording = {
        "communication_needs": {"label": "Do they need information in another format?"},
        "other_language": {"help_text": "Only if they need information in another language."},
        "support_tags": {"label": "Which kinds of support would help them take part?"},
        "carer_needs": {
            "label": "Do they have caring responsibilities we should know about?",
            "help_text": "For example, if they need to bring the person they care for, "
            "or need cover while they take part.",
        },
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            CommunicationNeed.OTHER_LANGUAGE in (data.get("communication_needs") or [])
            and not (data.get("other_language") or "").strip()
        ):
            self.add_error(
                "other_language",
                self.person(
                    "Enter the language you need information in", "Enter the language they need information in"
                ),
            )
        return data


class TakingPartForm(OnBehalfWordingMixin, forms.Form):
    methods = _checkboxes(InvolvementMethod.choices, "How would you like to take part?", "Select all that apply.")
    topics = forms.CharField(
        label="Which topics interest you?",
        required=False,
        help_text="For example, mental health, diabetes, digital health, maternity.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    availability = forms.CharField(
        label="When are you usually available?",
        required=False,
        help_text="For example, weekday mornings, evenings only, not during school holidays.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    on_behalf_wording = {
        "methods": {"label": "How would they like to take part?"},
        "topics": {"label": "Which topics interest them?"},
        "availability": {"label": "When are they usually available?"},
    }


class PaymentPreferenceForm(OnBehalfWordingMixin, forms.Form):
    payment_preference = forms.ChoiceField(
        label="Would you like to be paid for taking part?",
        choices=PaymentPreference.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you would like to be paid"},
    )

    on_behalf_wording = {
        "payment_preference": {
            "label": "Would they like to be paid for taking part?",
            "required": "Select how they would like to be paid",
        },
    }


SECTION_FORMS: dict[str, type[OnBehalfWordingMixin]] = {
    "contact": ContactDetailsForm,
    "needs": NeedsForm,
    "taking-part": TakingPartForm,
    "payment": PaymentPreferenceForm,
}

SECTION_TITLES = {
    "contact": "Your name and contact details",
    "needs": "Communication, access and support needs",
    "taking-part": "How you want to take part",
    "payment": "Payment",
}
# The same pages when staff fill them in for a lay partner.
SECTION_TITLES_ON_BEHALF = {
    "contact": "Their name and contact details",
    "needs": "Their communication, access and support needs",
    "taking-part": "How they want to take part",
    "payment": "Their payment choice",
}

YES_NO = [("yes", "Yes"), ("no", "No")]


class ConsentForm(OnBehalfWordingMixin, forms.Form):
    contact = forms.ChoiceField(
        label="Can we contact you about opportunities to get involved?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if we can contact you about opportunities"},
    )
    named_in_notes = forms.ChoiceField(
        label="Can we use your name in meeting notes we publish?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="If you say no, notes will say “a lay partner” instead of your name.",
        error_messages={"required": "Select yes if we can use your name in published notes"},
    )
    photos = forms.ChoiceField(
        label="Can we take and use photos or video of you?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if we can use photos or video of you"},
    )

    on_behalf_wording = {
        "contact": {
            "label": "Did they agree to be contacted about opportunities?",
            "required": "Select yes if they agreed to be contacted about opportunities",
        },
        "named_in_notes": {
            "label": "Did they agree to be named in published meeting notes?",
            "help_text": "If not, notes will say “a lay partner” instead of their name.",
            "required": "Select yes if they agreed to be named in published notes",
        },
        "photos": {
            "label": "Did they agree to photos or video?",
            "required": "Select yes if they agreed to photos or video",
        },
    }

    def answers(self) -> dict[str, bool]:
        return {kind: self.cleaned_data[kind] == "yes" for kind in ConsentRecord.Kind.values}

    @staticmethod
    def initial_from(latest: dict[str, ConsentRecord]) -> dict[str, str]:
        return {kind: ("yes" if record.given else "no") for kind, record in latest.items()}


class StaffCanEditForm(forms.Form):
    staff_can_edit = forms.ModelMultipleChoiceField(
        label="Which AHSNs can update your details for you?",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff can always see your details. Tick an AHSN to let its staff also change them, "
        "for example if you phone them with a new address.",
    )

    def __init__(self, *args: Any, links: list[PartnerLink], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [link.organisation_id for link in links]
        self.fields["staff_can_edit"].queryset = Organisation.objects.filter(pk__in=ids)  # type: ignore[attr-defined]


class AcceptPartnerInvitationForm(ConsentForm):
    full_name = forms.CharField(
        label="Your full name", max_length=200, error_messages={"required": "Enter your full name"}
    )
    password1 = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A few words together are easy to remember, like 'blue-kettle-garden'.",
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    field_order = ["full_name", "password1", "password2", "contact", "named_in_notes", "photos"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The passwords do not match")
        return data


class ExistingAccountConsentForm(ConsentForm):
    """Accepting an invitation when already signed in: only the consent questions."""


class InvitePartnerForm(forms.Form):
    full_name = forms.CharField(label="Their full name", max_length=200, required=False)
    email = forms.EmailField(
        label="Their email address",
        help_text="We will email them a link to join. It works for 14 days.",
        error_messages={"required": "Enter their email address", "invalid": EMAIL_INVALID},
    )
    organisation = forms.ModelChoiceField(
        label="AHSN",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose the AHSN they will join",
            "invalid_choice": "You can only invite lay partners to an AHSN you work for",
        },
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class AssistedDigitalForm(ContactDetailsForm, NeedsForm, TakingPartForm, ConsentForm):
    """Staff register someone without a login: their details and what they agreed to."""

    organisation = forms.ModelChoiceField(
        label="AHSN",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose the AHSN they will join",
            "invalid_choice": "You can only register lay partners at an AHSN you work for",
        },
    )
    payment_preference = PaymentPreferenceForm.base_fields["payment_preference"]

    field_order = [
        "organisation",
        *ContactDetailsForm.base_fields,
        *NeedsForm.base_fields,
        *TakingPartForm.base_fields,
        "payment_preference",
        *ConsentForm.base_fields,
    ]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, on_behalf=True, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["payment_preference"].label = "Would they like to be paid for taking part?"

    def details(self) -> dict[str, Any]:
        names = [
            *ContactDetailsForm.base_fields,
            *NeedsForm.base_fields,
            *TakingPartForm.base_fields,
            "payment_preference",
        ]
        return {name: self.cleaned_data[name] for name in names}


class RegisterInterestForm(UKContactFieldsMixin, forms.Form):
    """The public form. The page adds a honeypot box (`website`) that people never see."""

    full_name = forms.CharField(label="Your name", max_length=200, error_messages={"required": "Enter your name"})
    organisation = forms.ModelChoiceField(
        label="Which area do you live in?",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.AHSN).order_by("region"),
        empty_label="Choose your area",
        help_text="Each area has its own AHSN (Academic Health Science Network).",
        error_messages={"required": "Choose the area you live in"},
    )
    contact_method = forms.ChoiceField(
        label="How should we contact you?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        help_text="Then fill in the matching detail below: your email address, phone number or postal address.",
        error_messages={"required": "Select how we should contact you"},
    )
    email = forms.EmailField(label="Email address", required=False, error_messages={"invalid": EMAIL_INVALID})
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label="Postal address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "nhsuk-input--width-10"}),
    )
    interests = forms.CharField(
        label="What are you interested in?",
        required=False,
        help_text="For example, a health condition you live with, caring, or improving a local service.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The opportunity open to new people that brought them here, if any (from the link's ?opportunity=).
    opportunity = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].label_from_instance = (  # type: ignore[attr-defined]
            lambda org: f"{org.region} ({org.name})" if org.region else org.name
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_contact_methods(self, data, field="contact_method")
        return data


class DeclineApplicationForm(forms.Form):
    reason = forms.CharField(
        label="Why are you declining? (optional)",
        required=False,
        help_text="If they gave an email address, we will send them this with a polite note.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=PartnerLink.Status.choices, widget=forms.RadioSelect)
    joined_on = DateField(label="Date they joined", error_messages={"required": "Enter the date they joined"})


class DirectoryFilterForm(FilterForm):
    q = forms.CharField(label="Name", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PartnerLink.Status.choices]
    )
    interests = forms.CharField(label="Interests include", required=False, max_length=100)
    communication_need = forms.ChoiceField(
        label="Communication needs",
        required=False,
        choices=[("", "Any"), *CommunicationNeed.choices],
    )
    method = forms.ChoiceField(
        label="Wants to take part by", required=False, choices=[("", "Any"), *InvolvementMethod.choices]
    )


def _equality_choice_field(name: str) -> forms.ChoiceField:
    model_field = EqualityMonitoring.question_field(name)
    return forms.ChoiceField(
        label=EQUALITY_QUESTIONS[name],
        choices=list(model_field.choices or []),
        required=False,
        widget=forms.RadioSelect,
    )


EQUALITY_QUESTIONS = {
    "age_band": "How old are you?",
    "disability": "Do you have a disability or a long-term physical or mental health condition?",
    "ethnicity": "What is your ethnic group?",
    "religion": "What is your religion or belief?",
    "sex": "What is your sex?",
    "gender_same_as_birth": "Is the gender you identify with the same as your sex registered at birth?",
    "sexual_orientation": "What is your sexual orientation?",
    "marriage": "Are you married or in a civil partnership?",
    "pregnancy": "Are you pregnant, or have you had a baby in the last 26 weeks?",
    "carer": "Do you look after, or give help or support to, anyone because of their health, disability or age?",
}


class EqualityForm(forms.Form):
    """Every question is optional and has "Prefer not to say"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in EqualityMonitoring.QUESTIONS:
            self.fields[name] = _equality_choice_field(name)
        self.fields["seldom_heard_groups"] = forms.MultipleChoiceField(
            label="Do you belong to any of these communities?",
            choices=[*SeldomHeardGroup.choices, (PREFER_NOT_TO_SAY, "Prefer not to say")],
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Select all that apply. This helps us check we hear from people who are often left out.",
        )

    def clean_seldom_heard_groups(self) -> list[str]:
        groups = list(self.cleaned_data.get("seldom_heard_groups") or [])
        if PREFER_NOT_TO_SAY in groups and len(groups) > 1:
            raise ValidationError("Select communities, or “Prefer not to say”, but not both")
        return groups

    def answers(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in EqualityMonitoring.QUESTIONS} | {
            "seldom_heard_groups": self.cleaned_data.get("seldom_heard_groups") or []
        }
