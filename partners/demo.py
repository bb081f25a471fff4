"""Demo lay partners for `manage.py seed_demo`: varied needs and preferences across two AHSNs.

Idempotent: partners are found by their email address (or, for the assisted-digital ones, by
name), applications by organisation and name, so running it twice creates nothing new."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from accounts.demo import DEMO_DOMAIN, demo_password, ensure_user
from partners.models import (
    ConsentRecord,
    EqualityMonitoring,
    LayPartner,
    PartnerApplication,
    PartnerLink,
)
from partners.services import PRIVACY_NOTICE_VERSION

# (full name, preferred name, pronouns, AHSNs, communication needs, other language, access needs,
#  methods, topics, payment preference, contact methods)
DEMO_PARTNERS: list[tuple[Any, ...]] = [
    (
        "Margaret Ellis",
        "Maggie",
        "she/her",
        ("Wessex",),
        [],
        "",
        "Step-free access; I use a walking frame.",
        ["advisory_group", "document_review"],
        "Falls prevention, older people's services",
        "pay",
        ["email"],
    ),
    (
        "David Okoro",
        "",
        "he/him",
        ("Wessex", "Y&H AHSN"),
        ["large_print"],
        "",
        "Papers in 16pt please.",
        ["workshop", "co_design"],
        "Diabetes, digital health",
        "pay",
        ["email", "phone"],
    ),
    (
        "Hannah Wright",
        "",
        "she/her",
        ("Y&H AHSN",),
        [],
        "",
        "",
        ["survey", "interview"],
        "Maternity, mental health",
        "expenses_only",
        ["email"],
    ),
    (
        "Sanjay Patel",
        "Sanj",
        "he/him",
        ("Wessex",),
        ["other_language"],
        "Gujarati",
        "An interpreter for my father, who comes with me.",
        ["focus_group"],
        "Heart health",
        "vouchers",
        ["phone", "text"],
    ),
    (
        "Bethany Clarke",
        "Beth",
        "she/her",
        ("Y&H AHSN",),
        ["easy_read"],
        "",
        "Easy read papers and extra time to read them.",
        ["workshop", "event"],
        "Learning disability services",
        "pay",
        ["email", "text"],
    ),
    (
        "Thomas Hughes",
        "Tom",
        "he/him",
        ("Wessex",),
        ["bsl"],
        "",
        "BSL interpreter for every meeting.",
        ["co_design", "recruitment_panel"],
        "Deaf awareness, hospital discharge",
        "pay",
        ["email"],
    ),
    (
        "Aisha Rahman",
        "",
        "she/her",
        ("Y&H AHSN", "Wessex"),
        [],
        "",
        "I can only attend online.",
        ["survey", "document_review"],
        "Patient safety, medicines",
        "decline",
        ["email"],
    ),
    (
        "George Mensah",
        "",
        "he/him",
        ("Wessex",),
        [],
        "",
        "",
        ["advisory_group"],
        "Stroke recovery",
        "pay",
        ["email", "post"],
    ),
    (
        "Olivia Brown",
        "Liv",
        "they/them",
        ("Y&H AHSN",),
        [],
        "",
        "Quiet room for breaks.",
        ["forum_meeting", "co_design"],
        "Mental health, LGBTQ+ health",
        "pay",
        ["email"],
    ),
    (
        "Patrick Walsh",
        "Paddy",
        "",
        ("Wessex",),
        ["large_print"],
        "",
        "Partially sighted; I use a screen reader.",
        ["interview", "document_review"],
        "Eye health, digital accessibility",
        "expenses_only",
        ["email", "phone"],
    ),
    (
        "Chloe Evans",
        "",
        "she/her",
        ("Wessex",),
        [],
        "",
        "I care for my son and need morning sessions.",
        ["survey", "focus_group"],
        "Children's services, autism",
        "vouchers",
        ["email", "text"],
    ),
    (
        "Ibrahim Hassan",
        "",
        "he/him",
        ("Y&H AHSN",),
        ["other_language"],
        "Arabic",
        "",
        ["focus_group", "event"],
        "Refugee and asylum seeker health",
        "pay",
        ["phone"],
    ),
    (
        "Lucy Taylor",
        "",
        "she/her",
        ("Wessex", "Y&H AHSN"),
        [],
        "",
        "",
        ["training", "co_design"],
        "Co-production, research",
        "pay",
        ["email"],
    ),
    (
        "Robert Kaur",
        "Bob",
        "he/him",
        ("Wessex",),
        [],
        "",
        "Parking close to the entrance.",
        ["advisory_group", "recruitment_panel"],
        "Cancer services",
        "pay",
        ["email", "phone"],
    ),
    (
        "Grace Adeyemi",
        "",
        "she/her",
        ("Y&H AHSN",),
        [],
        "",
        "",
        ["workshop"],
        "Sickle cell, blood donation",
        "pay",
        ["email"],
    ),
    (
        "William Scott",
        "Bill",
        "he/him",
        ("Wessex",),
        ["easy_read"],
        "",
        "Support worker comes with me.",
        ["event", "focus_group"],
        "Learning disability, annual health checks",
        "expenses_only",
        ["phone", "post"],
    ),
    ("Emily Foster", "", "she/her", ("Y&H AHSN",), [], "", "", ["survey"], "Women's health", "decline", ["email"]),
    (
        "Joseph Nowak",
        "Joe",
        "he/him",
        ("Wessex",),
        ["other_language"],
        "Polish",
        "",
        ["interview", "survey"],
        "Primary care access",
        "pay",
        ["email", "text"],
    ),
    (
        "Sophie Green",
        "",
        "she/her",
        ("Wessex",),
        [],
        "",
        "Evening sessions only; I work days.",
        ["document_review", "co_design"],
        "Digital health apps",
        "pay",
        ["email"],
    ),
    (
        "Michael O'Brien",
        "Mick",
        "he/him",
        ("Y&H AHSN",),
        ["large_print"],
        "",
        "",
        ["advisory_group"],
        "COPD, respiratory care",
        "pay",
        ["phone", "post"],
    ),
    (
        "Fatima Begum",
        "",
        "she/her",
        ("Y&H AHSN", "Wessex"),
        ["other_language"],
        "Bengali",
        "Female interpreter, please.",
        ["focus_group"],
        "Maternity, diabetes",
        "vouchers",
        ["phone", "text"],
    ),
    (
        "Daniel Lewis",
        "Dan",
        "he/him",
        ("Wessex",),
        [],
        "",
        "",
        ["workshop", "training"],
        "Mental health, young people",
        "pay",
        ["email"],
    ),
    (
        "Rachel Cohen",
        "",
        "she/her",
        ("Y&H AHSN",),
        [],
        "",
        "Wheelchair user.",
        ["co_design", "forum_meeting"],
        "Disability rights, accessible services",
        "pay",
        ["email"],
    ),
    (
        "Samuel Baptiste",
        "Sam",
        "he/him",
        ("Wessex",),
        [],
        "",
        "",
        ["recruitment_panel"],
        "Workforce, equality and inclusion",
        "pay",
        ["email"],
    ),
    (
        "Zara Ahmed",
        "",
        "she/her",
        ("Y&H AHSN",),
        ["bsl"],
        "",
        "BSL interpreter and live captions online.",
        ["survey", "workshop"],
        "Deaf health, NHS 111",
        "expenses_only",
        ["email", "text"],
    ),
    ("Kevin Murphy", "", "he/him", ("Wessex",), [], "", "", ["event"], "Homeless health", "decline", ["phone"]),
    (
        "Natalie Price",
        "Nat",
        "she/her",
        ("Wessex", "Y&H AHSN"),
        [],
        "",
        "Childcare costs for sessions.",
        ["focus_group", "co_design"],
        "Perinatal mental health",
        "pay",
        ["email"],
    ),
    (
        "Harold Jenkins",
        "",
        "he/him",
        ("Y&H AHSN",),
        ["large_print"],
        "",
        "Hearing loop.",
        ["advisory_group", "document_review"],
        "Dementia, carers",
        "pay",
        ["post", "phone"],
    ),
    ("Priya Nair", "", "she/her", ("Wessex",), [], "", "", ["interview"], "Genomics, rare diseases", "pay", ["email"]),
    (
        "Owen Davies",
        "",
        "he/him",
        ("Y&H AHSN",),
        [],
        "",
        "I live rurally; travel booked for me helps.",
        ["survey", "event"],
        "Rural health, transport",
        "expenses_only",
        ["email", "phone"],
    ),
    (
        "Mei Chen",
        "",
        "she/her",
        ("Wessex",),
        ["other_language"],
        "Cantonese",
        "",
        ["survey", "focus_group"],
        "Hepatitis B, community pharmacy",
        "vouchers",
        ["email"],
    ),
    (
        "Ruth Campbell",
        "",
        "she/her",
        ("Y&H AHSN", "Wessex"),
        [],
        "",
        "",
        ["forum_meeting", "advisory_group"],
        "Co-chairing, governance",
        "pay",
        ["email"],
    ),
]

# Supported by staff, no login. The first has no email address at all.
ASSISTED_PARTNERS: list[dict[str, Any]] = [
    {
        "full_name": "Arthur Penn",
        "preferred_name": "Arthur",
        "phone": "01632960001",
        "address": "Flat 2, 14 Harbour Road\nSouthampton",
        "postcode": "SO14 2AA",
        "contact_methods": ["phone", "post"],
        "communication_needs": ["large_print"],
        "access_needs": "Does not use the internet. Prefers a phone call in the afternoon.",
        "support_tags": ["booked_travel", "large_print"],
        "methods": ["focus_group"],
        "topics": "Hospital transport, hearing aids",
        "payment_preference": "expenses_only",
        "organisation": "Wessex",
    },
    {
        "full_name": "Doreen Atkinson",
        "phone": "01632960777",
        "address": "3 Mill Lane\nHalifax",
        "postcode": "HX1 1AA",
        "contact_methods": ["post"],
        "communication_needs": ["easy_read"],
        "access_needs": "Lives in a care home; staff there help her read letters.",
        "support_tags": ["easy_read", "accessible_venue"],
        "methods": ["interview"],
        "topics": "Care homes, end of life care",
        "payment_preference": "vouchers",
        "organisation": "Y&H AHSN",
    },
]

APPLICATIONS = [
    (
        "Wessex",
        "Jade Thompson",
        "jade.thompson@example.org",
        "",
        "email",
        "I have type 1 diabetes and want to help with digital tools.",
    ),
    ("Wessex", "Leonard Fisher", "", "07700900111", "phone", "Carer for my wife who has dementia."),
    ("Y&H AHSN", "Amara Obi", "amara.obi@example.org", "", "email", "Maternity services and Black women's health."),
    ("Y&H AHSN", "Stanley Hirst", "", "07700900222", "text", "COPD and pulmonary rehab."),
]

_AGES = [c[0] for c in EqualityMonitoring.AgeBand.choices]
_ETHNICITY = ["white", "white", "white", "asian", "black", "mixed", "prefer_not_to_say"]
_RELIGION = ["none", "christian", "christian", "muslim", "hindu", "sikh", "jewish", "prefer_not_to_say"]
_ORIENTATION = ["straight", "straight", "straight", "gay_lesbian", "bisexual", "prefer_not_to_say"]
_MARRIAGE = ["never", "married", "married", "divorced", "widowed", "civil_partnership"]
_GROUPS = ["carers", "disabled", "older", "minority_ethnic", "rural", "deaf", "english_not_first"]


def _equality_for(rng: random.Random) -> dict[str, Any]:
    return {
        "age_band": rng.choice(_AGES),
        "disability": rng.choice(["yes", "no", "no", "prefer_not_to_say"]),
        "ethnicity": rng.choice(_ETHNICITY),
        "religion": rng.choice(_RELIGION),
        "sex": rng.choice(["female", "female", "male", "prefer_not_to_say"]),
        "gender_same_as_birth": rng.choice(["yes", "yes", "yes", "no", "prefer_not_to_say"]),
        "sexual_orientation": rng.choice(_ORIENTATION),
        "marriage": rng.choice(_MARRIAGE),
        "pregnancy": rng.choice(["no", "no", "no", "yes"]),
        "carer": rng.choice(["yes", "no", "no"]),
        "seldom_heard_groups": sorted(set(rng.sample(_GROUPS, rng.randint(0, 2)))),
    }


def _consents(partner: LayPartner, rng: random.Random, recorded_by: Any = None) -> None:
    if partner.consents.exists():
        return
    for kind in ConsentRecord.Kind.values:
        ConsentRecord.objects.create(
            partner=partner,
            kind=kind,
            given=kind == "contact" or rng.random() < 0.7,
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            recorded_by=recorded_by,
        )


@transaction.atomic
def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:
    orgs = context["organisations"]
    users = context["users"]
    rng = random.Random(20261125)
    password = demo_password()
    partners: dict[str, LayPartner] = {}
    created = 0
    today = date.today()
    for number, row in enumerate(DEMO_PARTNERS, start=1):
        (name, preferred, pronouns, ahsns, needs, language, access, methods, topics, payment, contact) = row
        email = f"partner{number}@{DEMO_DOMAIN}"
        user, _ = ensure_user(email, name, password=password)
        # Found by their account, which keeps its sign-in address: the partner may have changed
        # their name or their contact email since.
        partner, was_created = LayPartner.objects.get_or_create(
            user=user,
            defaults={
                "email": email,
                "user": user,
                "full_name": name,
                "preferred_name": preferred,
                "pronouns": pronouns,
                "phone": f"07700900{number:03d}",
                "contact_methods": contact,
                "communication_needs": needs,
                "other_language": language,
                "access_needs": access,
                "methods": methods,
                "topics": topics,
                "availability": rng.choice(["Weekday mornings", "Evenings", "Any time with notice", ""]),
                "payment_preference": payment,
                "address": f"{number} Demo Street" if "post" in contact else "",
                "postcode": "SO16 7NS" if ahsns[0] == "Wessex" else "LS1 4AP",
            },
        )
        created += int(was_created)
        for index, short in enumerate(ahsns):
            PartnerLink.objects.get_or_create(
                partner=partner,
                organisation=orgs[short],
                defaults={
                    "joined_on": today - timedelta(days=30 + number * 17 + index * 90),
                    "status": "paused" if number % 11 == 0 else "active",
                    "staff_can_edit": number % 3 == 0,
                },
            )
        _consents(partner, rng, recorded_by=user)
        # Most partners answer the equality questions; a few choose not to.
        if number % 7 != 0:
            EqualityMonitoring.objects.get_or_create(partner=partner, defaults=_equality_for(rng))
        partners[f"partner{number}"] = partner

    staff_user = users.get("staff.wessex")
    for listed in ASSISTED_PARTNERS:
        details = dict(listed)
        org = orgs[details.pop("organisation")]
        # Found by their phone number (made up for the demo), not their name, which staff may edit.
        existing = LayPartner.objects.filter(is_assisted_digital=True, user=None, phone=details["phone"])
        found = existing.order_by("pk").first()
        was_created = found is None
        partner = found or LayPartner.objects.create(is_assisted_digital=True, user=None, **details)
        created += int(was_created)
        PartnerLink.objects.get_or_create(
            partner=partner,
            organisation=org,
            defaults={"joined_on": today - timedelta(days=200), "staff_can_edit": True},
        )
        _consents(partner, rng, recorded_by=staff_user)
        partners[details["full_name"].split()[0].lower()] = partner

    for short, name, email, phone, method, interests in APPLICATIONS:
        # By the email address or phone number given, not the name, which staff may correct.
        contact = {"email": email} if email else {"phone": phone}
        if not PartnerApplication.objects.filter(organisation=orgs[short], **contact).exists():
            PartnerApplication.objects.create(
                organisation=orgs[short],
                full_name=name,
                email=email,
                phone=phone,
                contact_method=method,
                interests=interests,
            )

    out.write(f"Demo lay partners: {len(partners)} ({created} new), {len(APPLICATIONS)} applications waiting")
    out.write(
        f"  Lay partner sign-ins: partner1@{DEMO_DOMAIN} (Wessex), partner2@{DEMO_DOMAIN} "
        f"(Wessex and Y&H) … partner{len(DEMO_PARTNERS)}@{DEMO_DOMAIN}; "
        "Arthur Penn (Wessex) and Doreen Atkinson (Y&H) are supported by staff, with no login."
    )
    return {"partners": partners}
