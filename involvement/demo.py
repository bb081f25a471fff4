"""Demo involvement for `manage.py seed_demo`: a year of activities across the demo programmes of
Wessex and Yorkshire and Humber, with the demo lay partners taking part, attendance and hours,
"you said, we did" outcomes and feedback. Some attended participations are in the last 30 days
and unclaimed, so the payments demo has something to claim. Idempotent: activities are found by
(AHSN, title), so a second run creates nothing new."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_DOMAIN, demo_password, ensure_user
from accounts.models import Organisation
from core.formatting import UK_TIME
from involvement import services
from involvement.models import Activity, Feedback, Outcome, OutcomeStatus, OutcomeStatusChange, Participation
from partners.models import LayPartner, PartnerLink

# Per programme: session names with (method, ladder level, format, hours).
SERIES: dict[str, list[tuple[str, str, str, str, str]]] = {
    "Hospital discharge: getting home safely": [
        ("Discharge checklist co-design", "co_design", "co_design", "in_person", "3"),
        ("Ward testing debrief", "focus_group", "engagement", "hybrid", "2"),
        ("Carers' experiences of discharge", "interview", "consultation", "online", "1.5"),
        ("Patient leaflet review", "document_review", "consultation", "asynchronous", "2"),
    ],
    "Digital front door for mental health services": [
        ("Young people's design sprint", "co_design", "co_production", "in_person", "3"),
        ("Parents' focus group on the first screens", "focus_group", "consultation", "online", "2"),
        ("Prototype testing session", "workshop", "co_design", "in_person", "2.5"),
        ("Supplier shortlisting panel", "recruitment_panel", "co_production", "online", "3"),
    ],
    "Remote monitoring for heart failure": [
        ("National lay advisory group", "advisory_group", "co_production", "online", "2"),
        ("Patients using the kit: what works", "focus_group", "engagement", "in_person", "2"),
        ("Easy read guide review", "document_review", "consultation", "asynchronous", "1.5"),
        ("Knowledge-sharing event for new sites", "event", "informing", "hybrid", "3"),
    ],
    "Falls prevention in care homes": [
        ("Residents and families toolkit review", "workshop", "co_design", "in_person", "2"),
        ("Care home staff and residents listening session", "focus_group", "engagement", "in_person", "2"),
        ("Falls toolkit survey", "survey", "consultation", "asynchronous", "1"),
        ("Training for lay reviewers", "training", "engagement", "online", "2.5"),
    ],
    "Community pharmacy blood pressure checks": [
        ("Faith group conversations", "focus_group", "consultation", "in_person", "2"),
        ("Community champions workshop", "workshop", "co_design", "in_person", "3"),
        ("Men's health listening event", "event", "engagement", "in_person", "2"),
        ("Invitation letter review", "document_review", "consultation", "asynchronous", "1"),
    ],
}

# What the partner's page for an activity says to expect, by method.
WHAT_TO_EXPECT = {
    "workshop": "A small group of about ten people, with staff from the programme. We will talk through "
    "some early ideas and ask what would work for you. There is a break halfway, with drinks.",
    "focus_group": "Six to eight people talking together about their experience, led by a facilitator. "
    "You only share what you want to.",
    "co_design": "Working together with staff and other lay partners on the design, using paper, sticky "
    "notes and examples. No preparation needed.",
    "advisory_group": "A meeting of the advisory group. Papers are sent a week before: read what you can.",
    "interview": "A one-to-one conversation with a researcher, about an hour. You can stop at any time.",
    "survey": "A short set of questions to answer in your own time, on paper, online or by phone.",
    "document_review": "We send you a document to read and ask you to tell us what is unclear or missing.",
    "recruitment_panel": "Sitting on an interview panel with staff. We will brief you beforehand.",
    "training": "A session to learn new skills, with time for questions.",
    "event": "A larger event with talks and table discussions. You can come for part of it.",
}

SELDOM_HEARD = {
    "Hospital discharge: getting home safely": ["older", "carers", "rural"],
    "Digital front door for mental health services": ["young", "mental_health", "low_income"],
    "Remote monitoring for heart failure": ["older", "english_not_first", "rural"],
    "Falls prevention in care homes": ["residential", "older", "disabled"],
    "Community pharmacy blood pressure checks": ["minority_ethnic", "faith", "low_income"],
}

OUTCOMES = [
    (
        "The checklist used words that patients did not understand.",
        "We rewrote it in plain English with the panel and tested it on two wards.",
        OutcomeStatus.CHANGED,
        "",
    ),
    (
        "People wanted to be told who to call in the first week at home.",
        "A named contact and phone number now go on every discharge letter.",
        OutcomeStatus.CHANGED,
        "",
    ),
    (
        "Evening sessions would let working carers take part.",
        "We are trying two evening sessions next quarter.",
        OutcomeStatus.IN_PROGRESS,
        "",
    ),
    (
        "The kit should come with a paper diary as well as the app.",
        "We asked the supplier to cost a paper diary.",
        OutcomeStatus.CONSIDERED,
        "",
    ),
    (
        "Sessions should be paid at the full-day rate.",
        "We looked at the rate card with the finance team.",
        OutcomeStatus.NOT_TAKEN_FORWARD,
        "Sessions last under four hours, so the national policy pays the half-day rate. We have added travel time.",
    ),
    (
        "The survey was too long to do on a phone.",
        "We cut it from 30 questions to 12 and added a paper version.",
        OutcomeStatus.CHANGED,
        "",
    ),
]

COMMENTS = [
    "I felt my experience as a carer was really taken seriously.",
    "The papers came too late to read properly.",
    "Good mix of people in the room.",
    "The online link did not work at first, but staff sorted it quickly.",
    "",
    "",
    "I would like to know what happens next.",
]


def _partners_for(organisation: Organisation, password: str) -> list[LayPartner]:
    partners = list(
        LayPartner.objects.filter(
            links__organisation=organisation,
            links__status=PartnerLink.Status.ACTIVE,
            left_at__isnull=True,
            anonymised=False,
        ).order_by("pk")[:10]
    )
    if partners:
        return partners
    # The partners demo made nobody here: make a few of our own so activities have people.

    slug = "wessex" if organisation.short_name == "Wessex" else "yorkshire"
    names = ["Margaret Hill", "Imran Hussain", "Chloe Barker", "Winston Clarke", "Siobhan Kelly", "Dev Patel"]
    for n, name in enumerate(names, start=1):
        user, _ = ensure_user(f"lay.{slug}.{n}@{DEMO_DOMAIN}", name, password=password)
        partner, _ = LayPartner.objects.get_or_create(
            user=user, defaults={"full_name": name, "email": user.email, "contact_methods": ["email"]}
        )
        PartnerLink.objects.get_or_create(
            partner=partner,
            organisation=organisation,
            defaults={"joined_on": timezone.localdate() - timedelta(days=400)},
        )
        partners.append(partner)
    return partners


def _at(day: Any, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UK_TIME)


# How an older demo outcome got where it is: (status, days after it was recorded, what happened).
HISTORY_STEPS = {
    OutcomeStatus.CHANGED: [
        (OutcomeStatus.CONSIDERED, 0, "Recorded."),
        (OutcomeStatus.IN_PROGRESS, 14, "The panel agreed a first draft with us."),
        (OutcomeStatus.CHANGED, 40, "The change is in place and the panel checked it."),
    ],
    OutcomeStatus.IN_PROGRESS: [
        (OutcomeStatus.CONSIDERED, 0, "Recorded."),
        (OutcomeStatus.IN_PROGRESS, 21, "We have started; the panel will see it next month."),
    ],
    OutcomeStatus.NOT_TAKEN_FORWARD: [
        (OutcomeStatus.CONSIDERED, 0, "Recorded."),
        (OutcomeStatus.NOT_TAKEN_FORWARD, 30, "We looked at it with the finance team."),
    ],
}


def _history(outcome: Outcome, *, today: date, by: Any) -> None:
    """The steps an older demo outcome went through (written once, with the outcome)."""
    steps = HISTORY_STEPS.get(OutcomeStatus(outcome.status), [(outcome.status, 0, "Recorded.")])
    previous = ""
    for status, after, note in steps:
        OutcomeStatusChange.objects.create(
            outcome=outcome,
            from_status=previous,
            to_status=status,
            changed_on=min(today, outcome.decided_on + timedelta(days=after)),
            note=note,
            reason=outcome.reason if status == OutcomeStatus.NOT_TAKEN_FORWARD else "",
            changed_by=by,
        )
        previous = status


@transaction.atomic
def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:  # noqa: C901 -- the demo story, told in order: each record needs the ones before
    programmes = context.get("programmes") or {}
    users = context.get("users") or {}
    orgs = {o.short_name: o for o in Organisation.objects.filter(short_name__in=["Wessex", "Y&H AHSN"])}
    if not programmes or len(orgs) < 2:
        out.write("Demo involvement: skipped (no demo programmes)")
        return {}
    rng = random.Random(2026)
    today = timezone.localdate()
    leads = {"Wessex": users.get("lead.wessex"), "Y&H AHSN": users.get("lead.yorkshire")}
    staff = {"Wessex": users.get("staff.wessex"), "Y&H AHSN": users.get("staff.yorkshire")}
    people = {short: _partners_for(org, demo_password()) for short, org in orgs.items()}
    created = 0
    activities: list[Activity] = []
    outcome_index = 0
    for p_index, (name, programme) in enumerate(programmes.items()):
        sessions = SERIES.get(name)
        if not sessions:
            continue
        for i in range(11):
            base, method, level, fmt, hours = sessions[i % len(sessions)]
            round_no = i // len(sessions) + 1
            title = base if round_no == 1 else f"{base} (round {round_no})"
            # National programme: Y&H runs every other session against Wessex's shared programme.
            owner = programme.organisation.short_name
            if programme.programme_type == "national" and i % 2 == 1:
                owner = "Y&H AHSN"
            organisation = orgs[owner]
            day = today + timedelta(days=-350 + i * 36 + p_index * 5)
            existing = Activity.objects.filter(organisation=organisation, title=title).first()
            if existing is not None:
                activities.append(existing)
                continue
            start = _at(day, 10 if i % 3 else 14)
            duration = Decimal(hours)
            activity = services.activity_create(
                actor=staff[owner] or leads[owner],
                organisation=organisation,
                title=title,
                starts_at=start,
                ends_at=start + timedelta(minutes=int(duration * 60)),
                method=method,
                level=level,
                format=fmt,
                programme=programme,
                priorities=list(programme.priorities.all()),
                stage=programme.innovation_stage,
                location="" if fmt in ("online", "asynchronous") else "Community room, Civic Centre",
                joining_details="Video call link sent the day before" if fmt in ("online", "hybrid") else "",
                purpose=f"To make sure {programme.name} works for the people who will use it, "
                "shaped by their experience rather than our guesses.",
                what_to_expect=WHAT_TO_EXPECT.get(method, ""),
                seldom_heard_groups=rng.sample(SELDOM_HEARD.get(name, []), k=rng.randint(0, 2)),
                support_offered=rng.sample(
                    ["booked_travel", "easy_read", "digital", "carer_costs", "bsl"], k=rng.randint(0, 2)
                ),
                public_participants_count=rng.choice([0, 0, 3, 8, 12]) if method in ("event", "survey") else 0,
                lead=staff[owner] or leads[owner],
            )
            created += 1
            activities.append(activity)
            chosen = rng.sample(people[owner], k=min(len(people[owner]), rng.randint(3, 5)))
            rows = []
            for partner in chosen:
                participation = services.participation_add(
                    actor=leads[owner],
                    activity=activity,
                    partner=partner,
                    role=rng.choice(["Lay panel member", "Participant", "Co-facilitator", "Reviewer"]),
                    expected_hours=duration,
                )
                rows.append(participation)
            if activity.ends_at >= timezone.now():
                continue  # coming up: attendance later
            services.attendance_record(
                actor=leads[owner],
                activity=activity,
                rows=[(p, rng.random() < 0.85, duration) for p in rows],
            )
            # Outcomes for most sessions more than a fortnight old; the newest via the service,
            # so partners get the "you said, we did" notice.
            age = (today - day).days
            if age > 14 and rng.random() < 0.7:
                heard, did, status, reason = OUTCOMES[outcome_index % len(OUTCOMES)]
                outcome_index += 1
                decided = min(today, day + timedelta(days=21))
                if age < 60:
                    services.outcome_record(
                        actor=leads[owner],
                        activity=activity,
                        what_we_heard=heard,
                        what_we_did=did,
                        status=status,
                        reason=reason,
                        decided_on=decided,
                        shareable=status == OutcomeStatus.CHANGED,
                    )
                else:
                    outcome = Outcome.objects.create(
                        organisation=organisation,
                        activity=activity,
                        what_we_heard=heard,
                        what_we_did=did,
                        status=status,
                        reason=reason,
                        decided_on=decided,
                        shareable=status == OutcomeStatus.CHANGED,
                        recorded_by=leads[owner],
                    )
                    _history(outcome, today=today, by=leads[owner])
            for participation in Participation.objects.filter(activity=activity, attended=True).select_related(
                "partner"
            ):
                if participation.partner.user_id is None or rng.random() < 0.4 or age < 3:
                    continue
                Feedback.objects.create(
                    participation=participation,
                    listened_to=rng.choice([3, 4, 4, 5, 5]),
                    role_clear=rng.choice([2, 3, 4, 4, 5]),
                    support_right=rng.choice([3, 4, 5, 5]),
                    take_part_again=rng.choice([4, 4, 5, 5, 5]),
                    comments=rng.choice(COMMENTS),
                    may_use_name=rng.random() < 0.3,
                    submitted_at=activity.ends_at + timedelta(days=2),
                )
    # One cancelled session, so the cancelled state shows up.
    wessex = orgs["Wessex"]
    first = next(iter(programmes.values()))
    cancelled_title = "Evening session for working carers"
    if not Activity.objects.filter(organisation=wessex, title=cancelled_title).exists():
        start = _at(today - timedelta(days=75), 18)
        activity = services.activity_create(
            actor=leads["Wessex"],
            organisation=wessex,
            title=cancelled_title,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            method="focus_group",
            level="consultation",
            format="online",
            programme=first if first.organisation_id == wessex.pk else None,
        )
        services.activity_cancel(
            actor=leads["Wessex"],
            activity=activity,
            reason="Too few people could make the date. We will offer a new one.",
        )
        created += 1
    total = Activity.objects.filter(organisation__in=orgs.values(), programme__isnull=False).count()
    out.write(f"Demo activities: {total} ({created} new), with participation, outcomes and feedback")
    return {"activities": activities}
