"""Every write to case studies and their quotes: one transaction, the row locked before a state
change, audited, and people told through `core.notifications.notify`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from core.audit import log_action
from core.errors import DomainError
from core.formatting import date_text
from core.notifications import notify
from evidence import selectors
from evidence.models import (
    Attribution,
    CaseStudy,
    CaseStudyQuote,
    CaseStudyState,
    DevelopmentSession,
    QuoteConsent,
    RequestState,
    SessionAttendance,
    SessionAudience,
    SessionKind,
    SessionRequest,
)
from evidence.permissions import can_edit_case_study, can_manage_session, can_release_case_study
from involvement.models import Outcome, Participation
from partners.models import LayPartner
from programmes.models import Programme, StrategyPriority

TEXT_FIELDS = ("title", "challenge", "involvement", "what_changed")


class CaseStudyError(DomainError):
    """A change to a case study the rules do not allow."""


def _check_text(fields: dict[str, Any]) -> dict[str, str]:
    cleaned = {key: str(fields.get(key) or "").strip() for key in TEXT_FIELDS}
    for key, value in cleaned.items():
        if not value:
            raise CaseStudyError("Fill in every part of the case study.", field=key)
    return cleaned


def case_study_refresh_figures(case_study: CaseStudy) -> None:
    """Fill the figures from the portal: the activities it is about, the lay partners who attended
    them, and the levels, methods, stages, seldom-heard groups and priorities they reached."""
    activities = selectors.source_activities(outcome=case_study.outcome, programme=case_study.programme)
    rows = list(activities.values_list("level", "method", "stage", "seldom_heard_groups"))
    case_study.activity_count = len(rows)
    case_study.people_count = (
        Participation.objects.filter(activity__in=activities, attended=True).aggregate(
            n=Count("partner_id", distinct=True)
        )["n"]
        or 0
    )
    case_study.levels = sorted({r[0] for r in rows if r[0]})
    case_study.methods = sorted({r[1] for r in rows if r[1]})
    case_study.stages = sorted({r[2] for r in rows if r[2]})
    case_study.seldom_heard_groups = sorted({g for r in rows for g in r[3]})
    case_study.save()
    priorities = StrategyPriority.objects.filter(activities__in=activities).distinct()
    case_study.priorities.set(priorities)


def case_study_create(
    *, actor: User, outcome: Outcome | None = None, programme: Programme | None = None, **fields: Any
) -> CaseStudy:
    """A draft case study from an outcome (its programme comes with it) or a programme's story."""
    if outcome is None and programme is None:
        raise CaseStudyError("A case study tells the story of an outcome or a programme.")
    text = _check_text(fields)
    organisation = outcome.organisation if outcome is not None else programme.organisation  # type: ignore[union-attr]
    if programme is None and outcome is not None:
        programme = outcome.programme or (outcome.activity.programme if outcome.activity else None)
    with transaction.atomic():
        case_study = CaseStudy(
            organisation=organisation, outcome=outcome, programme=programme, created_by=actor, **text
        )
        if not can_edit_case_study(actor, case_study):
            raise CaseStudyError("Only staff at the AHSN that owns this can write its case studies.")
        case_study.save()
        case_study_refresh_figures(case_study)
        log_action(
            actor=actor,
            action="evidence.case_study.created",
            target=case_study,
            organisation=organisation,
            data={"outcome": case_study.outcome_id, "programme": case_study.programme_id},
        )
    return case_study


def case_study_update(*, actor: User, case_study: CaseStudy, **fields: Any) -> CaseStudy:
    text = _check_text(fields)
    with transaction.atomic():
        locked = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        if not can_edit_case_study(actor, locked):
            raise CaseStudyError("Only staff at the AHSN that owns this case study can change it.")
        changed = [key for key, value in text.items() if getattr(locked, key) != value]
        for key in changed:
            setattr(locked, key, text[key])
        case_study_refresh_figures(locked)
        if changed:
            log_action(
                actor=actor,
                action="evidence.case_study.updated",
                target=locked,
                organisation=locked.organisation,
                data={"changed": changed},
            )
    return locked


def quote_add(*, actor: User, case_study: CaseStudy, partner: LayPartner, text: str) -> CaseStudyQuote:
    """Add a lay partner's words and ask them, through their notifications, whether we may use them."""
    text = text.strip()
    if not text:
        raise CaseStudyError("Enter what they said.", field="text")
    with transaction.atomic():
        locked = CaseStudy.objects.select_for_update().select_related("organisation").get(pk=case_study.pk)
        if not can_edit_case_study(actor, locked):
            raise CaseStudyError("Only staff at the AHSN that owns this case study can change it.")
        if locked.is_published:
            raise CaseStudyError("It is published. Quotes can be added while it is a draft or shared with the network.")
        if not selectors.quotable_partners(locked).filter(pk=partner.pk).exists():
            raise CaseStudyError(
                "You can quote only lay partners who took part in what this is about.", field="partner"
            )
        quote = CaseStudyQuote.objects.create(
            case_study=locked, partner=partner, text=text, asked_at=timezone.now(), added_by=actor
        )
        log_action(
            actor=actor,
            action="evidence.quote.asked",
            target=quote,
            organisation=locked.organisation,
            data={"case_study": locked.pk, "partner": partner.reference},
        )
        notify(
            kind="evidence.quote_consent",
            subject=quote,
            partner=partner,
            organisation=locked.organisation,
            title=f"May we quote you? {locked.organisation.name}",
            body=(
                f"{locked.organisation.name} is writing a case study, “{locked.title}”, and would like to use "
                f"these words of yours:\n\n“{text}”\n\nYou choose whether we may use them, and whether with your "
                "name or without it. Nothing is used until you agree, and you can change your answer later."
            ),
            url=reverse("evidence:quote_answer", args=[quote.pk]),
        )
    return quote


def quote_answer(*, partner: LayPartner, quote: CaseStudyQuote, agree: bool, attribution: str = "") -> CaseStudyQuote:
    """The partner's answer. They can change it at any time; a refusal takes the quote off every page."""
    if agree and attribution not in Attribution.values:
        raise CaseStudyError("Choose whether we may use your name.", field="attribution")
    with transaction.atomic():
        locked = CaseStudyQuote.objects.select_for_update().select_related("case_study__organisation").get(pk=quote.pk)
        if locked.partner_id != partner.pk:
            raise CaseStudyError("This is not your quote.")
        locked.consent = QuoteConsent.AGREED if agree else QuoteConsent.REFUSED
        locked.attribution = attribution if agree else ""
        locked.answered_at = timezone.now()
        locked.save(update_fields=["consent", "attribution", "answered_at"])
        log_action(
            actor=partner.user,
            action="evidence.quote.answered",
            target=locked,
            organisation=locked.case_study.organisation,
            data={"consent": locked.consent, "attribution": locked.attribution},
        )
    return locked


def quote_remove(*, actor: User, quote: CaseStudyQuote) -> None:
    with transaction.atomic():
        locked = CaseStudy.objects.select_for_update().select_related("organisation").get(pk=quote.case_study_id)
        if not can_edit_case_study(actor, locked):
            raise CaseStudyError("Only staff at the AHSN that owns this case study can change it.")
        log_action(
            actor=actor,
            action="evidence.quote.removed",
            target=quote,
            organisation=locked.organisation,
            data={"case_study": locked.pk, "consent": quote.consent},
        )
        CaseStudyQuote.objects.filter(pk=quote.pk).delete()


def _move(*, actor: User, case_study: CaseStudy, to: str, allowed_from: tuple[str, ...]) -> CaseStudy:
    locked = CaseStudy.objects.select_for_update().select_related("organisation").get(pk=case_study.pk)
    if not can_release_case_study(actor, locked):
        raise CaseStudyError("Only an involvement lead at the AHSN can share or publish its case studies.")
    if locked.state not in allowed_from:
        raise CaseStudyError(f"It is already {locked.get_state_display().lower()}.")
    answers = set(locked.quotes.values_list("consent", flat=True))
    if QuoteConsent.REFUSED in answers:
        raise CaseStudyError("A quoted lay partner refused. Remove their quote first.")
    if to == CaseStudyState.PUBLISHED and QuoteConsent.ASKED in answers:
        raise CaseStudyError(
            "Every quoted lay partner must agree before it is published. Wait for their answer or remove the quote."
        )
    locked.state = to
    now = timezone.now()
    if to == CaseStudyState.SHARED:
        locked.shared_at = now
    else:
        locked.published_at = now
        locked.shared_at = locked.shared_at or now
    case_study_refresh_figures(locked)
    log_action(
        actor=actor, action=f"evidence.case_study.{to}", target=locked, organisation=locked.organisation, data={}
    )
    return locked


def case_study_share(*, actor: User, case_study: CaseStudy) -> CaseStudy:
    """Draft → shared with the network: every AHSN's staff can find it in the library."""
    with transaction.atomic():
        return _move(actor=actor, case_study=case_study, to=CaseStudyState.SHARED, allowed_from=(CaseStudyState.DRAFT,))


def case_study_publish(*, actor: User, case_study: CaseStudy) -> CaseStudy:
    """Shared → published on the AHSN's public page, once every quoted partner has agreed."""
    with transaction.atomic():
        return _move(
            actor=actor, case_study=case_study, to=CaseStudyState.PUBLISHED, allowed_from=(CaseStudyState.SHARED,)
        )


# ---------------------------------------------------------------- learning and development

SESSION_FIELDS = ("title", "kind", "date", "audience", "description")


class SessionError(DomainError):
    """A change to a development session the rules do not allow."""


def _check_session(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: fields.get(key) for key in SESSION_FIELDS}
    cleaned["title"] = str(cleaned["title"] or "").strip()
    cleaned["description"] = str(cleaned["description"] or "").strip()
    if not cleaned["title"]:
        raise SessionError("Enter a title.", field="title")
    if cleaned["kind"] not in SessionKind.values:
        raise SessionError("Choose what kind of session it is.", field="kind")
    if cleaned["audience"] not in SessionAudience.values:
        raise SessionError("Choose who it is for.", field="audience")
    if not isinstance(cleaned["date"], date):
        raise SessionError("Enter the date of the session.", field="date")
    return cleaned


def session_create(*, actor: User, organisation: Organisation, **fields: Any) -> DevelopmentSession:
    cleaned = _check_session(fields)
    session = DevelopmentSession(organisation=organisation, created_by=actor, **cleaned)
    if not can_manage_session(actor, session):
        raise SessionError("Only staff at the AHSN can add its development sessions.")
    with transaction.atomic():
        session.save()
        log_action(
            actor=actor,
            action="evidence.session.created",
            target=session,
            organisation=organisation,
            data={"kind": session.kind, "date": session.date.isoformat(), "audience": session.audience},
        )
    return session


def session_update(*, actor: User, session: DevelopmentSession, **fields: Any) -> DevelopmentSession:
    cleaned = _check_session(fields)
    with transaction.atomic():
        locked = DevelopmentSession.objects.select_for_update().select_related("organisation").get(pk=session.pk)
        if not can_manage_session(actor, locked):
            raise SessionError("Only staff at the AHSN can change its development sessions.")
        changed = [key for key, value in cleaned.items() if getattr(locked, key) != value]
        if not changed:
            return locked
        if "audience" in changed:
            _check_audience_keeps_attendees(locked, cleaned["audience"])
        for key in changed:
            setattr(locked, key, cleaned[key])
        locked.save(update_fields=changed)
        log_action(
            actor=actor,
            action="evidence.session.updated",
            target=locked,
            organisation=locked.organisation,
            data={"changed": changed},
        )
    return locked


def _check_audience_keeps_attendees(session: DevelopmentSession, audience: str) -> None:
    if audience == SessionAudience.STAFF and session.attendances.filter(partner__isnull=False).exists():
        raise SessionError("Lay partners took part in it, so it must stay open to them.", field="audience")
    if audience == SessionAudience.PARTNERS and session.attendances.filter(user__isnull=False).exists():
        raise SessionError("Staff took part in it, so it must stay open to staff.", field="audience")


def _add_attendance(
    *, actor: User, session: DevelopmentSession, user: User | None = None, partner: LayPartner | None = None
) -> SessionAttendance:
    """Inside a transaction with the session locked: one row for the person, audited."""
    person = {"partner": partner} if partner is not None else {"user": user}
    if SessionAttendance.objects.filter(session=session, **person).exists():
        raise SessionError("They are already recorded as taking part.")
    attendance = SessionAttendance.objects.create(session=session, recorded_by=actor, **person)
    log_action(
        actor=actor,
        action="evidence.session.attendance_added",
        target=attendance,
        organisation=session.organisation,
        data={
            "session": session.pk,
            "partner": partner.reference if partner else None,
            "user": getattr(user, "pk", None),
        },
    )
    return attendance


def attendance_add(
    *, actor: User, session: DevelopmentSession, user: User | None = None, partner: LayPartner | None = None
) -> SessionAttendance:
    """Record that a member of staff or a lay partner of the session's AHSN took part."""
    if (user is None) == (partner is None):
        raise SessionError("Choose one person: a member of staff or a lay partner.", field="partner")
    with transaction.atomic():
        locked = DevelopmentSession.objects.select_for_update().select_related("organisation").get(pk=session.pk)
        if not can_manage_session(actor, locked):
            raise SessionError("Only staff at the AHSN can record who took part.")
        if partner is not None:
            if not locked.open_to_partners:
                raise SessionError("This session is for staff only.", field="partner")
            if not selectors.session_partner_choices(locked).filter(pk=partner.pk).exists():
                raise SessionError("Choose a lay partner of this AHSN who is not yet recorded.", field="partner")
        else:
            if not locked.open_to_staff:
                raise SessionError("This session is for lay partners only.", field="user")
            if not selectors.session_staff_choices(locked).filter(pk=user.pk).exists():  # type: ignore[union-attr]
                raise SessionError("Choose a member of staff of this AHSN who is not yet recorded.", field="user")
        return _add_attendance(actor=actor, session=locked, user=user, partner=partner)


def attendance_remove(*, actor: User, attendance: SessionAttendance) -> None:
    with transaction.atomic():
        locked = (
            DevelopmentSession.objects.select_for_update().select_related("organisation").get(pk=attendance.session_id)
        )
        if not can_manage_session(actor, locked):
            raise SessionError("Only staff at the AHSN can change who took part.")
        log_action(
            actor=actor,
            action="evidence.session.attendance_removed",
            target=attendance,
            organisation=locked.organisation,
            data={"session": locked.pk, "partner": attendance.partner_id, "user": attendance.user_id},
        )
        SessionAttendance.objects.filter(pk=attendance.pk).delete()


def session_request_create(*, partner: LayPartner, session: DevelopmentSession) -> SessionRequest:
    """A lay partner asks to take part in an upcoming session open to partners at one of their AHSNs."""
    with transaction.atomic():
        locked = DevelopmentSession.objects.select_for_update().select_related("organisation").get(pk=session.pk)
        if not selectors.sessions_open_to(partner).filter(pk=locked.pk).exists():
            raise SessionError("You can ask to take part only in upcoming sessions open to lay partners.")
        if SessionRequest.objects.filter(session=locked, partner=partner).exists():
            raise SessionError("You have already asked to take part.")
        if SessionAttendance.objects.filter(session=locked, partner=partner).exists():
            raise SessionError("You are already taking part.")
        request = SessionRequest.objects.create(session=locked, partner=partner)
        log_action(
            actor=partner.user,
            action="evidence.session.requested",
            target=request,
            organisation=locked.organisation,
            data={"session": locked.pk, "partner": partner.reference},
        )
    return request


def session_request_decide(*, actor: User, request: SessionRequest, accept: bool) -> SessionRequest:
    """Staff accept (the partner is recorded as taking part) or decline; the partner is told."""
    with transaction.atomic():
        session = (
            DevelopmentSession.objects.select_for_update().select_related("organisation").get(pk=request.session_id)
        )
        if not can_manage_session(actor, session):
            raise SessionError("Only staff at the AHSN can answer requests to take part.")
        locked = SessionRequest.objects.select_for_update().select_related("partner").get(pk=request.pk)
        if locked.state != RequestState.ASKED:
            raise SessionError(f"It has already been {locked.get_state_display().lower()}.")
        locked.state = RequestState.ACCEPTED if accept else RequestState.DECLINED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["state", "decided_at", "decided_by"])
        log_action(
            actor=actor,
            action=f"evidence.session.request_{locked.state}",
            target=locked,
            organisation=session.organisation,
            data={"session": session.pk, "partner": locked.partner.reference},
        )
        if accept and not SessionAttendance.objects.filter(session=session, partner=locked.partner).exists():
            _add_attendance(actor=actor, session=session, partner=locked.partner)
        when = date_text(session.date)
        notify(
            kind=f"evidence.session_request_{locked.state}",
            subject=locked,
            partner=locked.partner,
            organisation=session.organisation,
            title=f"{'You have a place' if accept else 'No place this time'}: {session.title}",
            body=(
                f"{session.organisation.name} has a place for you at “{session.title}” on {when}."
                if accept
                else f"{session.organisation.name} cannot offer you a place at “{session.title}” on {when} this time. "
                "You can ask to take part in other sessions on your learning page."
            ),
            url=reverse("evidence:my_learning"),
        )
    return locked
