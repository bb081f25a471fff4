"""Reads for case studies: one record for this user, the network's library, public pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, Organisation, User
from core.access import scoped_get_or_404, visible_organisation_ids
from evidence.models import (
    CaseStudy,
    CaseStudyQuote,
    CaseStudyState,
    DevelopmentSession,
    QuoteConsent,
    RequestState,
    SessionAttendance,
    SessionAudience,
    SessionRequest,
)
from evidence.permissions import CASE_STUDY_WRITE_ROLES, SESSION_WRITE_ROLES, can_read_case_study
from involvement.models import Activity, ActivityStatus, Outcome, Participation
from partners.models import LayPartner, PartnerLink

RELEASED = (CaseStudyState.SHARED, CaseStudyState.PUBLISHED)


def _with_related(queryset: QuerySet[CaseStudy]) -> QuerySet[CaseStudy]:
    return queryset.select_related(
        "organisation", "outcome", "outcome__activity", "outcome__programme", "programme"
    ).prefetch_related("priorities")


def get_case_study_for_user(user: User, pk: int, *, write: bool = False) -> CaseStudy:
    """Its own AHSN reads and (with a writing role) changes it; other AHSNs' staff read it once it is
    shared. Anyone else, and another AHSN trying to change it, gets 404."""
    if write:
        return scoped_get_or_404(
            _with_related(CaseStudy.objects.all()), user, write=True, write_roles=CASE_STUDY_WRITE_ROLES, pk=pk
        )
    case_study = _with_related(CaseStudy.objects.filter(pk=pk)).first()
    if case_study is None or not can_read_case_study(user, case_study):
        raise Http404("No such case study.")
    return case_study


def quotes_for(case_study: CaseStudy, *, own_ahsn: bool) -> list[CaseStudyQuote]:
    """Its own AHSN sees every quote and its answer; anyone else only the agreed ones."""
    quotes = case_study.quotes.select_related("partner").order_by("id")
    if not own_ahsn:
        quotes = quotes.filter(consent=QuoteConsent.AGREED)
    return list(quotes)


def case_studies_of(user: User) -> QuerySet[CaseStudy]:
    """The case studies of the AHSNs the user belongs to, newest change first."""
    return (
        CaseStudy.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .select_related("organisation")
        .annotate(waiting=Count("quotes", filter=Q(quotes__consent=QuoteConsent.ASKED)))
        .order_by("-updated_at", "-id")
    )


def drafts_of(user: User, *, limit: int) -> list[tuple[int, str]]:
    """For the home page: the user's AHSNs' draft case studies (as `case_studies_of`, newest change
    first), as (pk, title), without the quote counts the list pages show."""
    drafts = CaseStudy.objects.filter(organisation_id__in=visible_organisation_ids(user), state=CaseStudyState.DRAFT)
    return list(drafts.order_by("-updated_at", "-id").values_list("pk", "title")[:limit])


def library(filters: dict[str, Any]) -> QuerySet[CaseStudy]:
    """Every AHSN's shared and published case studies, by priority, method, level, seldom-heard
    group, stage and words in the text."""
    found = CaseStudy.objects.filter(state__in=RELEASED)
    if filters.get("priority"):
        found = found.filter(priorities=filters["priority"])
    for field, key in (
        ("methods", "method"),
        ("levels", "level"),
        ("stages", "stage"),
        ("seldom_heard_groups", "group"),
    ):
        if filters.get(key):
            found = found.filter(**{f"{field}__contains": [filters[key]]})
    if filters.get("organisation"):
        found = found.filter(organisation=filters["organisation"])
    words = (filters.get("q") or "").strip()
    if words:
        found = found.filter(
            Q(title__icontains=words)
            | Q(challenge__icontains=words)
            | Q(what_changed__icontains=words)
            | Q(involvement__icontains=words)
        )
    return found.select_related("organisation").prefetch_related("priorities").order_by("-shared_at", "-id")


# ---------------------------------------------------------------- where a case study comes from


def source_activities(*, outcome: Outcome | None, programme: Any) -> QuerySet[Activity]:
    """The activities a case study's figures count: the outcome's activity, or every activity of
    the programme (the outcome's or the one given) that went ahead."""
    activities = Activity.objects.exclude(status=ActivityStatus.CANCELLED)
    if outcome is not None and outcome.activity_id is not None:
        return activities.filter(pk=outcome.activity_id)
    programme_id = outcome.programme_id if outcome is not None else getattr(programme, "pk", None)
    if programme_id is None:
        return activities.none()
    return activities.filter(programme_id=programme_id, status=ActivityStatus.COMPLETED)


def quotable_partners(case_study: CaseStudy) -> QuerySet[LayPartner]:
    """Lay partners who attended what the case study is about: the only people it can quote."""
    attended = Participation.objects.filter(
        activity__in=source_activities(outcome=case_study.outcome, programme=case_study.programme), attended=True
    ).values("partner_id")
    return LayPartner.objects.filter(pk__in=attended, anonymised=False).order_by("full_name")


# ---------------------------------------------------------------- the lay partner's side


def quote_for_partner(partner: LayPartner | None, pk: int) -> CaseStudyQuote:
    if partner is None:
        raise Http404("No such quote.")
    quote = (
        CaseStudyQuote.objects.select_related("case_study", "case_study__organisation")
        .filter(pk=pk, partner=partner)
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


def quotes_waiting_for(partner: LayPartner) -> QuerySet[CaseStudyQuote]:
    return (
        CaseStudyQuote.objects.filter(partner=partner, consent=QuoteConsent.ASKED)
        .select_related("case_study", "case_study__organisation")
        .order_by("asked_at")
    )


# ---------------------------------------------------------------- public pages


def organisation_by_slug(slug: str) -> Organisation:
    """An AHSN's public pages are at /evidence/public/<slug of its short name>/."""
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.AHSN):
        if slugify(organisation.short_name) == slug:
            return organisation
    raise Http404("No such AHSN.")


def public_case_studies(organisation: Organisation) -> QuerySet[CaseStudy]:
    return (
        CaseStudy.objects.filter(organisation=organisation, state=CaseStudyState.PUBLISHED)
        .prefetch_related("priorities")
        .order_by("-published_at", "-id")
    )


def public_case_study(organisation: Organisation, pk: int) -> CaseStudy:
    case_study = public_case_studies(organisation).filter(pk=pk).first()
    if case_study is None:
        raise Http404("No such case study.")
    return case_study


def public_outcomes(organisation: Organisation) -> QuerySet[Outcome]:
    """ "You said, we did" that the AHSN chose to show publicly: wording, status and date only."""
    return (
        Outcome.objects.filter(organisation=organisation, public=True)
        .only("id", "what_we_heard", "what_we_did", "status", "decided_on", "updated_at", "organisation_id")
        .order_by("-decided_on", "-id")
    )


def agreed_quotes_prefetch() -> Prefetch:
    return Prefetch(
        "quotes",
        queryset=CaseStudyQuote.objects.filter(consent=QuoteConsent.AGREED).select_related("partner").order_by("id"),
        to_attr="agreed_quotes",
    )


def get_quote_for_user(user: User, pk: int) -> CaseStudyQuote:
    """A quote on one of the user's AHSN's case studies, for a writing role; 404 for anyone else."""
    return scoped_get_or_404(
        CaseStudyQuote.objects.select_related("case_study", "partner"),
        user,
        organisation_field="case_study__organisation",
        write=True,
        write_roles=CASE_STUDY_WRITE_ROLES,
        pk=pk,
    )


# ---------------------------------------------------------------- a partner's record


RECORD_ROWS = 12  # as many activities as fit on one A4 page with the totals; the totals count them all


def partner_record(partner: LayPartner) -> dict[str, Any]:
    """What a lay partner took part in (attended, not cancelled), their roles, hours and the
    learning and development sessions they took part in: the facts of their one-page record. A
    fixed number of queries whatever the number of activities."""
    attended = (
        Participation.objects.filter(partner=partner, attended=True)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .select_related("activity", "activity__organisation")
        .order_by("-activity__starts_at", "-id")
    )
    totals = attended.aggregate(count=Count("id"), hours=Sum("hours"))
    training = learning_record(partner=partner)
    roles = sorted({role for role in attended.values_list("role", flat=True).distinct() if role})
    return {
        "partner": partner,
        "rows": list(attended[:RECORD_ROWS]),
        "count": totals["count"] or 0,
        "hours": format((totals["hours"] or Decimal(0)).quantize(Decimal("0.01")).normalize(), "f"),
        "roles": roles,
        "training": list(training[:6]),
        "training_count": training.count(),
        "organisations": [
            link.organisation.name for link in partner.links.select_related("organisation").order_by("joined_on")
        ],
    }


# ---------------------------------------------------------------- learning and development


def sessions_of(user: User) -> QuerySet[DevelopmentSession]:
    """The development sessions of the AHSNs the user belongs to, newest first, with how many took
    part and how many partners' requests wait for an answer. One query whatever the number."""
    return (
        DevelopmentSession.objects.filter(organisation_id__in=visible_organisation_ids(user))
        .select_related("organisation")
        .annotate(
            attendance_count=Count("attendances", distinct=True),
            waiting=Count("requests", filter=Q(requests__state=RequestState.ASKED), distinct=True),
        )
        .order_by("-date", "-id")
    )


def get_session_for_user(user: User, pk: int, *, write: bool = False) -> DevelopmentSession:
    """A session of the user's AHSN (404 for anyone else; 403 to change it without a delivery role)."""
    return scoped_get_or_404(
        DevelopmentSession.objects.select_related("organisation"),
        user,
        write=write,
        write_roles=SESSION_WRITE_ROLES,
        pk=pk,
    )


def get_session_request_for_user(user: User, pk: int) -> SessionRequest:
    return scoped_get_or_404(
        SessionRequest.objects.select_related("session", "partner"),
        user,
        organisation_field="session__organisation",
        write=True,
        write_roles=SESSION_WRITE_ROLES,
        pk=pk,
    )


def get_attendance_for_user(user: User, pk: int) -> SessionAttendance:
    return scoped_get_or_404(
        SessionAttendance.objects.select_related("session", "partner", "user"),
        user,
        organisation_field="session__organisation",
        write=True,
        write_roles=SESSION_WRITE_ROLES,
        pk=pk,
    )


def session_attendances(session: DevelopmentSession) -> list[SessionAttendance]:
    return list(session.attendances.select_related("user", "partner").order_by("id"))


def session_requests(session: DevelopmentSession) -> list[SessionRequest]:
    return list(session.requests.select_related("partner").order_by("state", "asked_at", "id"))


def session_partner_choices(session: DevelopmentSession) -> QuerySet[LayPartner]:
    """Lay partners of the session's AHSN who are not yet recorded as taking part."""
    linked = PartnerLink.objects.filter(organisation_id=session.organisation_id).exclude(status=PartnerLink.Status.LEFT)
    return (
        LayPartner.objects.filter(pk__in=linked.values("partner_id"), anonymised=False)
        .exclude(pk__in=session.attendances.filter(partner__isnull=False).values("partner_id"))
        .order_by("full_name", "id")
    )


def session_staff_choices(session: DevelopmentSession) -> QuerySet[User]:
    """Staff of the session's AHSN who are not yet recorded as taking part."""
    members = Membership.objects.filter(organisation_id=session.organisation_id).values("user_id")
    return (
        User.objects.filter(pk__in=members, is_active=True)
        .exclude(pk__in=session.attendances.filter(user__isnull=False).values("user_id"))
        .order_by("full_name", "email")
    )


def sessions_open_to(partner: LayPartner) -> QuerySet[DevelopmentSession]:
    """Upcoming sessions for lay partners at the AHSNs the partner is with (not left), each with
    this partner's request state and whether they are already taking part. One query."""
    organisations = partner.links.exclude(status=PartnerLink.Status.LEFT).values("organisation_id")
    own_request = SessionRequest.objects.filter(session=OuterRef("pk"), partner=partner)
    return (
        DevelopmentSession.objects.filter(
            organisation_id__in=organisations,
            audience__in=(SessionAudience.PARTNERS, SessionAudience.BOTH),
            date__gte=timezone.localdate(),
        )
        .select_related("organisation")
        .annotate(
            request_state=Subquery(own_request.values("state")[:1]),
            taking_part=Exists(SessionAttendance.objects.filter(session=OuterRef("pk"), partner=partner)),
        )
        .order_by("date", "id")
    )


def learning_record(*, partner: LayPartner | None = None, user: User | None = None) -> QuerySet[SessionAttendance]:
    """The sessions a person took part in (up to today), newest first: a lay partner's or a member
    of staff's learning record, for their page and the partner's PDF alike."""
    person = Q(partner=partner) if partner is not None else Q(user=user)
    return (
        SessionAttendance.objects.filter(person, session__date__lte=timezone.localdate())
        .select_related("session", "session__organisation")
        .order_by("-session__date", "-id")
    )
