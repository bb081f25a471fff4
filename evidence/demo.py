"""Demo case studies: three at Wessex (a draft, one shared with the network, one published with an
agreed quote), and Wessex's changed outcomes on its public "You said, we did" page; and Wessex's
learning and development sessions (two held, with staff and lay partners who took part, and one
coming up that lay partners can ask to join). Idempotent: case studies and sessions are found by
title."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from evidence import selectors, services
from evidence.models import CaseStudy, DevelopmentSession, SessionAudience, SessionKind
from involvement.models import Outcome, OutcomeStatus
from partners.models import LayPartner

STORIES = [
    (
        "Plain English at discharge",
        "People went home from hospital unsure what their letter meant or who to call.",
        "Lay partners on our discharge panel, including unpaid carers, rewrote the letter with ward staff "
        "over three co-design sessions.",
        "Every ward now sends the plain English letter, with a named contact for the first week at home.",
        "published",
    ),
    (
        "Evening sessions for working carers",
        "Carers who work could not come to daytime sessions, so their views were missing.",
        "Carers told us when they could take part; two evening sessions were planned with them.",
        "More working carers now take part, and the programme hears from them at each stage.",
        "shared",
    ),
    (
        "A paper diary alongside the app",
        "Some people using the remote monitoring kit did not want to use an app.",
        "People using the kit tested it at home and told us what got in the way.",
        "We are working with the supplier on a paper diary; this case study will be shared when it is done.",
        "draft",
    ),
]


SESSIONS = [
    # (title, kind, days from today, audience, description)
    (
        "Chairing a meeting well",
        SessionKind.TRAINING,
        -60,
        SessionAudience.BOTH,
        "A morning on chairing: agendas, making room for every voice, and keeping to time.",
    ),
    (
        "Briefing: the new discharge pathway",
        SessionKind.BRIEFING,
        -20,
        SessionAudience.PARTNERS,
        "What is changing in the discharge pathway, and where lay partners can shape it.",
    ),
    (
        "Mentoring for new panel members",
        SessionKind.MENTORING,
        30,
        SessionAudience.PARTNERS,
        "An experienced lay partner mentors people new to a panel over three months.",
    ),
]


def _seed_sessions(out: Any, lead: Any, wessex: Any, staff: Any) -> None:
    partners = list(LayPartner.objects.filter(links__organisation=wessex, anonymised=False).order_by("id")[:3])
    created = 0
    for title, kind, days, audience, description in SESSIONS:
        if DevelopmentSession.objects.filter(organisation=wessex, title=title).exists():
            continue
        session = services.session_create(
            actor=lead,
            organisation=wessex,
            title=title,
            kind=kind,
            date=timezone.localdate() + timedelta(days=days),
            audience=audience,
            description=description,
        )
        created += 1
        if days > 0:
            continue
        for partner in partners:
            services.attendance_add(actor=lead, session=session, partner=partner)
        if session.open_to_staff:
            for user in (lead, staff):
                if user is not None:
                    services.attendance_add(actor=lead, session=session, user=user)
    out.write(f"Demo learning and development: {len(SESSIONS)} sessions ({created} new) at Wessex")


@transaction.atomic
def seed(out: Any, context: dict[str, Any]) -> dict[str, Any]:
    lead = (context.get("users") or {}).get("lead.wessex")
    wessex = Organisation.objects.filter(short_name="Wessex").first()
    if lead is None or wessex is None:
        out.write("Demo case studies: skipped (no demo lead)")
        return {}
    _seed_sessions(out, lead, wessex, (context.get("users") or {}).get("staff.wessex"))
    Outcome.objects.filter(organisation=wessex, status=OutcomeStatus.CHANGED, shareable=True).update(public=True)
    outcomes = list(
        Outcome.objects.filter(organisation=wessex, activity__isnull=False).select_related("activity", "organisation")
    )
    if not outcomes:
        out.write("Demo case studies: skipped (no outcomes)")
        return {}
    created = 0
    for index, (title, challenge, involvement, what_changed, state) in enumerate(STORIES):
        if CaseStudy.objects.filter(organisation=wessex, title=title).exists():
            continue
        outcome = outcomes[index % len(outcomes)]
        case_study = services.case_study_create(
            actor=lead,
            outcome=outcome,
            title=title,
            challenge=challenge,
            involvement=involvement,
            what_changed=what_changed,
        )
        created += 1
        partner = selectors.quotable_partners(case_study).filter(user__isnull=False).first()
        if partner is not None:
            quote = services.quote_add(
                actor=lead,
                case_study=case_study,
                partner=partner,
                text="It was the first time I felt the people in charge really listened.",
            )
            if state != "draft":
                services.quote_answer(partner=partner, quote=quote, agree=True, attribution="anonymous")
        if state in ("shared", "published"):
            services.case_study_share(actor=lead, case_study=case_study)
        if state == "published":
            services.case_study_publish(actor=lead, case_study=case_study)
    out.write(f"Demo case studies: {len(STORIES)} ({created} new), one published at /evidence/public/wessex/")
    return {}
