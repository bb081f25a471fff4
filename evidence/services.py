"""Every write to case studies and their quotes: one transaction, the row locked before a state
change, audited, and people told through `core.notifications.notify`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.audit import log_action
from core.errors import DomainError
from core.notifications import notify
from evidence import selectors
from evidence.models import Attribution, CaseStudy, CaseStudyQuote, CaseStudyState, QuoteConsent
from evidence.permissions import can_edit_case_study, can_release_case_study
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
