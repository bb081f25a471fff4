"""Reads for lay partners, scoped per AHSN."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from accounts.models import MANAGER_ROLES, Organisation
from accounts.roles import DELIVERY_ROLES
from accounts.typing import AnyUser
from core.access import can_write, scoped_get_or_404, visible_organisation_ids, visible_organisations
from core.choices import (
    CommunicationNeed,
    ContactMethod,
    InvolvementMethod,
    SeldomHeardGroup,
    SupportType,
)
from core.models import AuditEntry, Notification
from core.user_cache import for_user, forget
from partners import personal_data
from partners.models import (
    PREFER_NOT_TO_SAY,
    ConsentRecord,
    EqualityMonitoring,
    LayPartner,
    PartnerApplication,
    PartnerLink,
)


def partner_for_user(user: AnyUser) -> LayPartner | None:
    """The signed-in person's own lay partner profile, if they have one.

    Kept on the user for the request once found (a partner's page asked three times); "none" is
    not kept, so a profile made later in the same request is found."""
    if not user.is_authenticated:
        return None

    def load() -> LayPartner | None:
        partner = LayPartner.objects.filter(user_id=user.pk).first()
        if partner is not None:
            partner.user = user  # the same person: partner.user costs no query
        return partner

    found = for_user(user, "lay_partner", load)
    if found is None:
        forget(user, "lay_partner")
    return found


def lay_partners_visible_to(user: AnyUser) -> QuerySet[LayPartner]:
    """Partners linked to any organisation the user belongs to (staff side)."""
    org_ids = visible_organisation_ids(user)
    return LayPartner.objects.filter(
        Exists(PartnerLink.objects.filter(partner=OuterRef("pk"), organisation_id__in=org_ids))
    )


def get_partner_link_for_user(
    user: AnyUser, *, partner_id: int, organisation_id: int | None = None, write: bool = False, write_roles: Any = None
) -> PartnerLink:
    """One AHSN's relationship with a partner: 404 unless the user belongs to that AHSN."""

    lookup: dict[str, Any] = {"partner_id": partner_id}
    if organisation_id is not None:
        lookup["organisation_id"] = organisation_id
    qs = PartnerLink.objects.select_related("partner", "organisation")
    if organisation_id is None:
        qs = qs.filter(organisation_id__in=visible_organisation_ids(user)).order_by("organisation__name")[:1]
        link = qs.first()
        if link is None:
            raise Http404("No such lay partner.")
        lookup["pk"] = link.pk
    return scoped_get_or_404(
        PartnerLink.objects.select_related("partner", "organisation"),
        user,
        write=write,
        write_roles=write_roles or DELIVERY_ROLES,
        **lookup,
    )


def partners_for_organisation(organisation_id: int, *, statuses: tuple[str, ...] = ("active",)) -> QuerySet[LayPartner]:
    return LayPartner.objects.filter(links__organisation_id=organisation_id, links__status__in=statuses).distinct()


def current_consent(partner: LayPartner, kind: str) -> bool:
    """Whether the partner's latest consent of `kind` is a yes (no record means no)."""
    latest = ConsentRecord.objects.filter(partner=partner, kind=kind).order_by("-recorded_at", "-id").first()
    return bool(latest and latest.given)


def contact_consent(partner_path: str = "pk") -> Subquery:
    """The partner's latest answer to "contact me about opportunities" (None: never asked), as a
    subquery on `partner_path`. The one rule for who may be contacted or appear in a contact export:
    `.annotate(may_contact=contact_consent(...)).filter(may_contact=True)`."""
    latest = ConsentRecord.objects.filter(partner=OuterRef(partner_path), kind=ConsentRecord.Kind.CONTACT).order_by(
        "-recorded_at", "-id"
    )
    return Subquery(latest.values("given")[:1])


def contact_export_links(links: QuerySet[PartnerLink]) -> QuerySet[PartnerLink]:
    """The directory rows that may go into a contact export: partners who said yes to being
    contacted, who have not left, and whose link with the AHSN is not ended. Everyone else is left
    out of the file altogether (not exported without their details), so a list made for contacting
    people never names someone who asked not to be contacted."""
    return (
        links.annotate(may_contact=contact_consent("partner_id"))
        .filter(may_contact=True, partner__left_at__isnull=True, partner__anonymised=False)
        .exclude(status=PartnerLink.Status.LEFT)
    )


def annotate_named_consent(qs: QuerySet[LayPartner]) -> QuerySet[LayPartner]:
    """Add `may_be_named` (latest 'named in notes' consent) to each partner in one query."""
    latest = ConsentRecord.objects.filter(partner=OuterRef("pk"), kind=ConsentRecord.Kind.NAMED_IN_NOTES).order_by(
        "-recorded_at", "-id"
    )
    return qs.annotate(may_be_named=Subquery(latest.values("given")[:1]))


# --- Access helpers: one per model, built on core.access.scoped_get_or_404 -----------------------


def get_partner_for_user(user: AnyUser, pk: int, *, write: bool = False) -> LayPartner:
    """A partner linked to one of the user's organisations (404 otherwise).

    With `write=True`: 403 unless the user is staff, lead or network admin at an AHSN whose link
    lets staff edit (the partner agreed, or they are assisted digital)."""

    partner = scoped_get_or_404(
        LayPartner.objects.distinct().select_related("user"),
        user,
        organisation_field="links__organisation",
        pk=pk,
    )
    if write:
        org_ids = visible_organisation_ids(user)
        editable = [
            link
            for link in partner.links.all()
            if link.organisation_id in org_ids
            and (link.staff_can_edit or partner.is_assisted_digital)
            and can_write(user, link.organisation_id, roles=DELIVERY_ROLES)
        ]
        if not editable or partner.anonymised:
            raise PermissionDenied("You can see this lay partner's details but cannot change them.")
    return partner


def get_application_for_user(user: AnyUser, pk: int, *, write: bool = False) -> PartnerApplication:
    """A register-your-interest application at one of the user's AHSNs; writes are for leads."""

    return scoped_get_or_404(
        PartnerApplication.objects.select_related("organisation", "decided_by", "partner", "opportunity"),
        user,
        write=write,
        write_roles=MANAGER_ROLES,
        pk=pk,
    )


def can_edit_partner(user: AnyUser, partner: LayPartner) -> bool:
    try:
        get_partner_for_user(user, partner.pk, write=True)
    except PermissionDenied:
        return False
    return True


# --- Staff pages -----------------------------------------------------------------------------------


def organisations_for_adding_partners(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations where the user may invite or register lay partners."""
    return visible_organisations(user, roles=DELIVERY_ROLES)


def directory(
    *,
    organisation_id: int,
    q: str = "",
    status: str = "",
    interests: str = "",
    communication_need: str = "",
    method: str = "",
) -> QuerySet[PartnerLink]:
    """One AHSN's lay partners (its links), filtered, with each partner in the same query.

    Backed by the indexes partnerlink_org_status, laypartner_name_trgm / laypartner_pref_trgm
    (name search), laypartner_comm_needs and laypartner_methods (array containment)."""
    links = PartnerLink.objects.filter(organisation_id=organisation_id).select_related("partner")
    if status:
        links = links.filter(status=status)
    if q:
        links = links.filter(Q(partner__full_name__icontains=q) | Q(partner__preferred_name__icontains=q))
    if interests:
        links = links.filter(partner__topics__icontains=interests)
    if communication_need:
        links = links.filter(partner__communication_needs__contains=[communication_need])
    if method:
        links = links.filter(partner__methods__contains=[method])
    return links.order_by("partner__full_name", "partner_id")


# What a directory row shows (partners/templatetags/partners_tags.py: directory_rows), and no more.
DIRECTORY_COLUMNS = (
    "partner",
    "status",
    "joined_on",
    "partner__full_name",
    "partner__preferred_name",
    "partner__is_assisted_digital",
    "partner__email",
    "partner__phone",
    "partner__communication_needs",
    "partner__other_language",
)


def directory_page(
    links: QuerySet[PartnerLink], number: Any, *, per_page: int, count_with_rows: bool = False
) -> Page[PartnerLink]:
    """One page of `directory(...)`, reading only the columns a row shows, with
    `Paginator.get_page`'s rules for the page number.

    `count_with_rows` (for a name search): the number of matches comes with the rows
    (COUNT(*) OVER ()) rather than from a second query that would search every partner's name
    again. Not for the plain list, where PostgreSQL reads partners in name order and stops at the
    page's end, which a count over every row would prevent. Past the last page, or with no match,
    the count is asked separately and the last page shown, as `get_page` does."""
    shown = links.only(*DIRECTORY_COLUMNS)
    paginator: Paginator[PartnerLink] = Paginator(shown, per_page)
    if not count_with_rows:
        return paginator.get_page(number)
    try:
        wanted = int(number) if number is not None else 1
    except (TypeError, ValueError):
        wanted = 1
    if wanted >= 1:
        start = (wanted - 1) * per_page
        rows = list(shown.annotate(matches=Window(Count("pk")))[start : start + per_page])
        if rows:
            paginator.count = rows[0].matches  # the window's count
            return Page(rows, wanted, paginator)
    return paginator.get_page(number)


def links_visible_to(user: AnyUser, partner: LayPartner) -> list[PartnerLink]:
    """The partner's relationships with the user's organisations only (never another AHSN's)."""
    return list(
        PartnerLink.objects.filter(partner=partner, organisation_id__in=visible_organisation_ids(user))
        .select_related("organisation")
        .order_by("organisation__name")
    )


def application_queue(
    user: AnyUser, *, status: str = PartnerApplication.Status.PENDING
) -> QuerySet[PartnerApplication]:
    """Applications at the AHSNs where the user is an involvement lead (or network admin)."""

    org_ids = visible_organisation_ids(user, roles=MANAGER_ROLES)
    return (
        PartnerApplication.objects.filter(organisation_id__in=org_ids, status=status)
        .select_related("organisation")
        .order_by("created_at", "id")
    )


def latest_consents(partner: LayPartner) -> dict[str, ConsentRecord]:
    """The consent record in force for each kind (one query)."""
    latest: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(partner=partner).order_by("kind", "-recorded_at", "-id"):
        latest.setdefault(record.kind, record)
    return latest


# --- Equality monitoring aggregates ------------------------------------------------------------------

SUPPRESSED = "<5"
HIDDEN = "hidden"


def _suppress(cells: list[tuple[str, int]], *, secondary: bool) -> list[tuple[str, str]]:
    """Counts 1-4 become "<5". When exactly one cell is suppressed and the question's answers add
    up to the number of people who answered (a single-answer question), the next-smallest
    non-zero count is hidden too, so the suppressed one cannot be worked out by subtraction."""
    small = {label for label, n in cells if 0 < n < 5}
    hidden: set[str] = set()
    if secondary and len(small) == 1:
        others = sorted(((n, label) for label, n in cells if n >= 5), key=lambda item: item[0])
        if others:
            hidden.add(others[0][1])
    result = []
    for label, n in cells:
        if label in small:
            result.append((label, SUPPRESSED))
        elif label in hidden:
            result.append((label, HIDDEN))
        else:
            result.append((label, f"{n:,}"))
    return result


def equality_aggregates(organisation_ids: Iterable[int]) -> dict[str, list[tuple[str, str]]]:
    """Equality monitoring answers of the organisations' lay partners, as suppressed counts.

    `{question label: [(answer label, count display), ...]}`. Counts are computed in the database
    (`values().annotate(Count)`; one filtered Count per community for the multi-answer question).
    No totals are returned: with small-number and secondary suppression, nothing hidden can be
    recovered. Partners who have left have no answers (leaving deletes them)."""
    ids = list(organisation_ids)
    answered = EqualityMonitoring.objects.filter(
        Exists(PartnerLink.objects.filter(partner=OuterRef("partner"), organisation_id__in=ids))
    )
    result: dict[str, list[tuple[str, str]]] = {}
    for name in EqualityMonitoring.QUESTIONS:
        field = EqualityMonitoring.question_field(name)
        counts = {
            row[name]: row["n"]
            for row in answered.exclude(**{name: ""}).values(name).annotate(n=Count("id")).order_by()
        }
        cells = [(str(label), counts.get(value, 0)) for value, label in field.choices or []]
        result[str(field.verbose_name).capitalize()] = _suppress(cells, secondary=True)
    groups = [*SeldomHeardGroup.choices, (PREFER_NOT_TO_SAY, "Prefer not to say")]
    group_counts = answered.aggregate(
        **{f"g_{value}": Count("id", filter=Q(seldom_heard_groups__contains=[value])) for value, _label in groups}
    )
    cells = [(str(label), group_counts[f"g_{value}"] or 0) for value, label in groups]
    result["Communities they belong to"] = _suppress(cells, secondary=False)
    return result


# --- The partner's own data ----------------------------------------------------------------------


def partner_data_export(
    partner: LayPartner, *, organisation_ids: Iterable[int] | None = None, include_equality: bool = True
) -> dict[str, Any]:
    """Everything the portal holds about the partner, for their own download (JSON and HTML).

    When staff produce it for an assisted-digital partner, `organisation_ids` limits the AHSN
    relationships and applications to their own AHSN's, and `include_equality=False` leaves out
    equality answers altogether (staff never see them per person)."""

    link_qs = partner.links.select_related("organisation").order_by("organisation__name")
    application_qs = partner.applications.select_related("organisation").order_by("created_at", "id")
    if organisation_ids is not None:
        ids = list(organisation_ids)
        link_qs = link_qs.filter(organisation_id__in=ids)
        application_qs = application_qs.filter(organisation_id__in=ids)

    def when(value: Any) -> str | None:
        return timezone.localtime(value).isoformat() if value else None

    def labels(choices: Any, values: list[str]) -> list[str]:
        mapping = dict(choices)
        return [str(mapping.get(v, v)) for v in values]

    profile = {
        "reference": partner.reference,
        "full_name": partner.full_name,
        "preferred_name": partner.preferred_name,
        "pronouns": partner.pronouns,
        "email": partner.email,
        "phone": partner.phone,
        "address": partner.address,
        "postcode": partner.postcode,
        "how_to_contact": labels(ContactMethod.choices, partner.contact_methods),
        "communication_needs": labels(CommunicationNeed.choices, partner.communication_needs),
        "other_language": partner.other_language,
        "access_and_support_needs": partner.access_needs,
        "support_tags": labels(SupportType.choices, partner.support_tags),
        "carer_needs": partner.carer_needs,
        "ways_to_take_part": labels(InvolvementMethod.choices, partner.methods),
        "topics_of_interest": partner.topics,
        "availability": partner.availability,
        "payment_preference": partner.get_payment_preference_display(),
        "supported_by_staff": partner.is_assisted_digital,
        "record_created": when(partner.created_at),
        "last_updated": when(partner.updated_at),
    }
    links = [
        {
            "organisation": link.organisation.name,
            "status": link.get_status_display(),
            "joined_on": link.joined_on.isoformat(),
            "staff_can_update_your_details": link.staff_can_edit,
        }
        for link in link_qs
    ]
    applications = [
        {
            "organisation": application.organisation.name,
            "full_name": application.full_name,
            "email": application.email,
            "phone": application.phone,
            "address": application.address,
            "postcode": application.postcode,
            "best_way_to_contact": application.get_contact_method_display(),
            "interests": application.interests,
            "status": application.get_status_display(),
            "sent_at": when(application.created_at),
            "decided_at": when(application.decided_at),
            "decline_reason": application.decline_reason,
        }
        for application in application_qs
    ]
    consents = [
        {
            "about": record.get_kind_display(),
            "agreed": record.given,
            "privacy_notice_version": record.privacy_notice_version,
            "recorded_at": when(record.recorded_at),
        }
        for record in partner.consents.order_by("recorded_at", "id")
    ]
    equality: dict[str, Any] | None = None
    record = EqualityMonitoring.objects.filter(partner=partner).first() if include_equality else None
    if record is not None:
        equality = {}
        for name in EqualityMonitoring.QUESTIONS:
            field = EqualityMonitoring.question_field(name)
            equality[str(field.verbose_name)] = str(getattr(record, f"get_{name}_display")()) or None
        group_labels = dict([*SeldomHeardGroup.choices, (PREFER_NOT_TO_SAY, "Prefer not to say")])
        equality["communities"] = [str(group_labels.get(g, g)) for g in record.seldom_heard_groups]
    export: dict[str, Any] = {
        "exported_at": timezone.localtime().isoformat(),
        "profile": profile,
        "ahsns": links,
        "applications": applications,
        "consents": consents,
    }
    if include_equality:
        export["equality_monitoring"] = equality
    export.update(_records_about(partner, organisation_ids=organisation_ids, include_feedback=include_equality))
    return export


# The audit log's record names where a plain word reads better ("payments.claimline.added").
_AUDIT_THINGS = {
    "claimline": "claim line",
    "link": "AHSN link",
    "partner": "lay partner record",
    "member": "forum membership",
}


def _audit_words(action: str) -> str:
    """ "payments.claimline.added" -> "Claim line added"."""
    parts = action.split(".")[1:] or [action]
    words = [_AUDIT_THINGS.get(parts[0], parts[0].replace("_", " ")), *(p.replace("_", " ") for p in parts[1:])]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _records_about(
    partner: LayPartner, *, organisation_ids: Iterable[int] | None, include_feedback: bool
) -> dict[str, Any]:
    """What the other apps hold about the partner (their claims, the activities they were asked to
    or took part in, their feedback: `partners.personal_data`), the messages sent to them and the
    audit log entries about them. A fixed number of queries, however many records there are.

    Feedback is left out when staff produce the download (`include_feedback=False`): staff see
    feedback only without names. The audit entries say who acted only as "you", "staff at ..."
    or "the portal": the names of staff are not the partner's data."""
    ids = list(organisation_ids) if organisation_ids is not None else None
    records = personal_data.records_about(partner, organisation_ids=ids, include_feedback=include_feedback)
    notification_qs = Notification.objects.filter(
        Q(partner=partner) | Q(user_id=partner.user_id) if partner.user_id else Q(partner=partner)
    ).order_by("created_at", "id")
    if ids is not None:
        notification_qs = notification_qs.filter(organisation_id__in=ids)

    def as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.annotate(text_id=Cast("pk", output_field=CharField())).values("text_id")

    about = Q(target_type="partners.laypartner", target_id=str(partner.pk)) | Q(on_behalf_of=partner.reference)
    if partner.user_id:
        about |= Q(actor_id=partner.user_id)
    for target_type, qs in (
        ("partners.partnerlink", PartnerLink.objects.filter(partner=partner)),
        ("partners.partnerapplication", PartnerApplication.objects.filter(partner=partner)),
        *personal_data.audit_targets(partner),
    ):
        about |= Q(target_type=target_type, target_id__in=as_text(qs))
    audit_qs = AuditEntry.objects.filter(about).select_related("organisation").order_by("created_at", "id")
    if ids is not None:
        audit_qs = audit_qs.filter(organisation_id__in=ids)

    records["messages"] = [
        {
            "sent": personal_data.iso_time(n.delivered_at or n.created_at),
            "title": n.title,
            "message": n.body,
            "how": n.get_channel_display(),
            "status": n.get_status_display(),
            "read": personal_data.iso_time(n.read_at),
        }
        for n in notification_qs
    ]
    records["audit_log"] = [
        {
            "when": personal_data.iso_time(entry.created_at),
            "what": _audit_words(entry.action),
            "record": entry.target_label,
            "by": (
                "You"
                if partner.user_id and entry.actor_id == partner.user_id
                else "The portal"
                if entry.actor_id is None
                else f"Staff at {entry.organisation.name}"
                if entry.organisation is not None
                else "Staff"
            ),
        }
        for entry in audit_qs
    ]
    return records


def profile_labels(partner: LayPartner) -> dict[str, str]:
    """The plain-English words for the partner's multiple-choice answers, comma-separated."""

    def join(choices: Any, values: list[str]) -> str:
        mapping = dict(choices)
        return ", ".join(str(mapping.get(v, v)) for v in values)

    return {
        "contact_methods": join(ContactMethod.choices, partner.contact_methods),
        "communication_needs": join(CommunicationNeed.choices, partner.communication_needs),
        "support_tags": join(SupportType.choices, partner.support_tags),
        "methods": join(InvolvementMethod.choices, partner.methods),
    }
