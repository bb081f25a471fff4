from __future__ import annotations

import csv
import json
from datetime import date
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import MANAGER_ROLES, User
from accounts.roles import DELIVERY_ROLES
from accounts.typing import AuthenticatedHttpRequest, signed_in_user
from core.access import can_write, memberships_of, scoped_get_or_404, visible_organisation_ids, visible_organisations
from core.choices import CommunicationNeed, ContactMethod
from core.errors import add_form_error
from core.formatting import date_text
from core.forms import query_id
from partners import joining, selectors, services
from partners.forms import (
    SECTION_FORMS,
    SECTION_TITLES,
    SECTION_TITLES_ON_BEHALF,
    AcceptPartnerInvitationForm,
    AssistedDigitalForm,
    ConsentForm,
    DeclineApplicationForm,
    DirectoryFilterForm,
    EqualityForm,
    ExistingAccountConsentForm,
    InvitePartnerForm,
    LinkForm,
    RegisterInterestForm,
    StaffCanEditForm,
)
from partners.models import EqualityMonitoring, LayPartner, PartnerApplication, PartnerLink
from partners.sections import home_sections_for, profile_sections_for

DIRECTORY_PAGE_SIZE = 50


def _own_partner(request: HttpRequest) -> LayPartner:
    """The signed-in person's own lay partner record (404 for staff without one)."""
    partner = selectors.partner_for_user(request.user)
    if partner is None or partner.anonymised:
        raise Http404("You do not have a lay partner profile.")
    return partner


def _querystring_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _section_initial(partner: LayPartner, section: str) -> dict[str, Any]:
    return {name: getattr(partner, name) for name in services.PROFILE_SECTIONS[section]}


# --- The lay partner's own area ------------------------------------------------------------------


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    links = list(partner.links.select_related("organisation").order_by("organisation__name"))
    return render(
        request,
        "partners/home.html",
        {
            "partner": partner,
            "links": links,
            "labels": selectors.profile_labels(partner),
            "sections": home_sections_for(partner),
        },
    )


@login_required
def my_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    return render(
        request,
        "partners/my_profile.html",
        {
            "partner": partner,
            "labels": selectors.profile_labels(partner),
            "links": list(partner.links.select_related("organisation").order_by("organisation__name")),
            "consents": selectors.latest_consents(partner),
            "has_equality": EqualityMonitoring.objects.filter(partner=partner).exists(),
        },
    )


def _edit_section(
    request: AuthenticatedHttpRequest, *, partner: LayPartner, section: str, back_url: str, template_ctx: dict[str, Any]
) -> HttpResponse:
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        raise Http404("No such page.")
    on_behalf = not template_ctx["own"]
    form: Any = form_class(request.POST or None, initial=_section_initial(partner, section), on_behalf=on_behalf)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_update(actor=request.user, partner=partner, section=section, changes=form.cleaned_data)
        except services.PartnerError as exc:
            form.add_error("email" if "email" in form.fields else None, str(exc))
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect(back_url)
    return render(
        request,
        "partners/edit_section.html",
        {
            "form": form,
            "partner": partner,
            "section": section,
            "title": (SECTION_TITLES_ON_BEHALF if on_behalf else SECTION_TITLES)[section],
            "back_url": back_url,
            **template_ctx,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_profile_edit(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    partner = _own_partner(request)
    return _edit_section(
        request,
        partner=partner,
        section=section,
        back_url=reverse("partners:my_profile"),
        template_ctx={"own": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    links = list(partner.links.select_related("organisation").exclude(status=PartnerLink.Status.LEFT))
    latest = selectors.latest_consents(partner)
    form = ConsentForm(request.POST or None, initial=ConsentForm.initial_from(latest))
    edit_form = StaffCanEditForm(
        request.POST or None,
        links=links,
        initial={"staff_can_edit": [link.organisation_id for link in links if link.staff_can_edit]},
    )
    if request.method == "POST" and form.is_valid() and edit_form.is_valid():
        services.consent_update(
            actor=request.user,
            partner=partner,
            answers=form.answers(),
            staff_can_edit_organisation_ids=[o.pk for o in edit_form.cleaned_data["staff_can_edit"]],
        )
        messages.success(request, "Your choices have been saved.")
        return redirect("partners:my_profile")
    return render(
        request,
        "partners/consent.html",
        {
            "form": form,
            "edit_form": edit_form if links else None,
            "partner": partner,
            "own": True,
            "privacy_notice_version": services.PRIVACY_NOTICE_VERSION,
            "back_url": reverse("partners:my_profile"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_equality(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    record = EqualityMonitoring.objects.filter(partner=partner).first()
    initial: dict[str, Any] = {}
    if record is not None:
        initial = {name: getattr(record, name) for name in EqualityMonitoring.QUESTIONS}
        initial["seldom_heard_groups"] = record.seldom_heard_groups
    form = EqualityForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.equality_delete(actor=request.user, partner=partner)
            messages.success(request, "Your equality monitoring answers have been deleted.")
            return redirect("partners:my_profile")
        if form.is_valid():
            services.equality_save(actor=request.user, partner=partner, answers=form.answers())
            messages.success(request, "Thank you. Your answers have been saved.")
            return redirect("partners:my_profile")
    return render(request, "partners/equality_form.html", {"form": form, "has_answers": record is not None})


def _data_response(
    request: HttpRequest, *, partner: LayPartner, data: dict[str, Any], own: bool, back_url: str
) -> HttpResponse:
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
        name = "my-information" if own else "information"
        response["Content-Disposition"] = f'attachment; filename="{name}-{partner.reference}.json"'
        return response
    return render(
        request,
        "partners/my_data.html",
        {
            "data": data,
            "partner": partner,
            "own": own,
            "back_url": back_url,
            "profile_rows": _readable_rows(data["profile"]),
            "consent_rows": [
                {**c, "recorded_at_display": c["recorded_at"][:16].replace("T", " at ")} for c in data["consents"]
            ],
            "shown": _readable_records(data),
        },
    )


def _day(value: str | None) -> str:
    """An ISO date or date-time from the download as NHS style text: 27 March 2026."""
    if not value:
        return ""
    return date_text(date.fromisoformat(value[:10]))


def _readable_records(data: dict[str, Any]) -> dict[str, Any]:
    """The download's claims, activities, feedback, messages and audit entries with their dates
    written for people, for the page (the JSON keeps ISO dates)."""
    claims = []
    for claim in data["claims"]:
        lines = [
            {
                **line,
                "date_shown": _day(line["date"] or line["activity_date"]),
                "receipts_shown": [{**r, "added_shown": _day(r["added"])} for r in line["receipts"]],
            }
            for line in claim["lines"]
        ]
        claims.append(
            {
                **claim,
                "lines": lines,
                "dates": [
                    (label, _day(claim[key]))
                    for key, label in (
                        ("started", "Started"),
                        ("sent", "Sent"),
                        ("approved", "Approved"),
                        ("paid", "Paid"),
                    )
                    if claim[key]
                ],
            }
        )
    return {
        "ahsns": [{**link, "joined_on_shown": _day(link["joined_on"])} for link in data["ahsns"]],
        "claims": claims,
        "activities": [{**a, "date_shown": _day(a["date"])} for a in data["activities"]],
        "feedback": [{**f, "date_shown": _day(f["activity_date"])} for f in data.get("feedback", [])],
        "messages": [{**m, "sent_shown": _day(m["sent"])} for m in data["messages"]],
        "audit_log": [{**e, "when_shown": _day(e["when"])} for e in data["audit_log"]],
    }


@login_required
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    return _data_response(
        request,
        partner=partner,
        data=selectors.partner_data_export(partner),
        own=True,
        back_url=reverse("partners:my_profile"),
    )


def _readable_rows(values: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    for key, value in values.items():
        if isinstance(value, bool):
            text = "Yes" if value else "No"
        elif isinstance(value, list):
            text = ", ".join(value) or "—"
        elif key in {"record_created", "last_updated"}:
            text = _day(value) or "—"
        else:
            text = str(value) if value else "—"
        rows.append((key.replace("_", " ").capitalize(), text))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def my_leave(request: AuthenticatedHttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    error = None
    if request.method == "POST":
        try:
            services.partner_leave(partner=partner, actor=request.user)
        except services.PartnerError as exc:
            error = str(exc)
        else:
            logout(request)
            return redirect("partners:left")
    return render(request, "partners/leave.html", {"partner": partner, "error": error})


def left(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/left.html")


# --- Joining: register your interest (public) and invitations --------------------------------------


def _client_ip(request: HttpRequest) -> str:
    """The visitor's address as allauth's own rate limits see it (honours trusted proxies)."""

    try:
        return str(get_adapter(request).get_client_ip(request))
    except Exception:  # fall back to the socket address
        return str(request.META.get("REMOTE_ADDR", "unknown"))


def _join_rate_limited(request: HttpRequest) -> bool:
    """True when this address has sent too many applications. PARTNER_JOIN_RATE_LIMIT is
    "<count>/<seconds>" (default 5 an hour); empty or 0 switches the limit off."""
    rate = getattr(settings, "PARTNER_JOIN_RATE_LIMIT", "5/3600")
    if not rate:
        return False
    amount_text, _, seconds_text = str(rate).partition("/")
    amount, seconds = int(amount_text), int(seconds_text or 3600)
    if amount <= 0:
        return False
    key = f"partners:join:{_client_ip(request)}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count > amount


def _public_opportunity(value: Any) -> Any:
    """The opportunity open to new people named in the link or form, or None."""
    pk = query_id(str(value or ""))
    return joining.public_opportunity(pk) if pk else None


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    opportunity = _public_opportunity(request.POST.get("opportunity") or request.GET.get("opportunity"))
    initial = {"opportunity": opportunity.pk, "organisation": opportunity.organisation_id} if opportunity else None
    form = RegisterInterestForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if (request.POST.get("website") or "").strip():
            # A bot filled in the hidden box: look as if it worked, keep nothing.
            return redirect("partners:join_done")
        if _join_rate_limited(request):
            return render(request, "partners/join_limited.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.application_submit(
                    organisation=data["organisation"],
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    address=data["address"],
                    postcode=data["postcode"],
                    contact_method=data["contact_method"],
                    interests=data["interests"],
                    opportunity=opportunity,
                )
            except services.PartnerError as exc:
                add_form_error(form, exc)
            else:
                return redirect("partners:join_done")
    return render(request, "partners/join.html", {"form": form, "opportunity": opportunity})


def join_done(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/join_done.html")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.PartnerError as exc:
        return render(request, "partners/invitation_invalid.html", {"reason": str(exc)}, status=410)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    if has_account:
        form: Any = ExistingAccountConsentForm(request.POST or None)
        signed_in_as_invitee = request.user.is_authenticated and request.user.email.lower() == invitation.email.lower()
        if request.method == "POST" and form.is_valid():
            try:
                services.invitation_accept(
                    token=token, password=None, consents=form.answers(), user=signed_in_user(request)
                )
            except services.PartnerError as exc:
                add_form_error(form, exc)
            else:
                messages.success(request, f"You have joined {invitation.organisation.name}.")
                return redirect("partners:home")
        return render(
            request,
            "partners/invitation_existing.html",
            {"invitation": invitation, "form": form, "signed_in_as_invitee": signed_in_as_invitee},
        )
    form = AcceptPartnerInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                consents=form.answers(),
            )
        except services.PartnerError as exc:
            form.add_error("password1", str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You have joined {invitation.organisation.name}.")
            return redirect("partners:home")
    return render(request, "partners/invitation_accept.html", {"form": form, "invitation": invitation})


# --- Staff pages ---------------------------------------------------------------------------------


def _staff_organisations(request: HttpRequest) -> Any:
    organisations = visible_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("Only staff of an AHSN can see lay partners.")
    return organisations


def _chosen_organisation(request: HttpRequest, organisations: Any) -> Any:
    wanted = query_id(request.GET.get("organisation"))
    chosen = None
    if wanted is not None:
        chosen = organisations.filter(pk=wanted).first()
        if chosen is None:
            raise Http404("No such organisation.")
    if chosen is None:
        own_ids = [m.organisation_id for m in memberships_of(request.user)]
        chosen = organisations.filter(pk__in=own_ids).order_by("kind", "name").first() or organisations.first()
    return chosen


def _directory_filters(request: HttpRequest) -> tuple[DirectoryFilterForm, dict[str, str]]:
    form = DirectoryFilterForm(request.GET or None)
    filters = {"q": "", "status": "", "interests": "", "communication_need": "", "method": ""}
    if form.is_valid():
        filters.update({k: (v or "").strip() for k, v in form.cleaned_data.items()})
    return form, filters


@login_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = _staff_organisations(request)
    organisation = _chosen_organisation(request, organisations)
    form, filters = _directory_filters(request)
    links = selectors.directory(organisation_id=organisation.pk, **filters)
    page = selectors.directory_page(
        links, request.GET.get("page"), per_page=DIRECTORY_PAGE_SIZE, count_with_rows=bool(filters.get("q"))
    )
    can_add = selectors.organisations_for_adding_partners(request.user).exists()
    query = _querystring_without_page(request)
    return render(
        request,
        "partners/directory.html",
        {
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "page_obj": page,
            "query": query,
            "export_query": query or f"organisation={organisation.pk}",
            "can_add": can_add,
            "is_lead": bool(visible_organisation_ids(request.user, roles=MANAGER_ROLES)),
            "filtered": any(filters.values()),
        },
    )


def _csv_cell(value: Any) -> str:
    """Text for a spreadsheet cell; a leading =, +, - or @ is escaped so it is never a formula."""
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@login_required
def directory_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = _staff_organisations(request)
    organisation = _chosen_organisation(request, organisations)
    _form, filters = _directory_filters(request)
    links = list(selectors.contact_export_links(selectors.directory(organisation_id=organisation.pk, **filters)))
    services.directory_export_logged(actor=request.user, organisation=organisation, count=len(links), filters=filters)
    contact_labels = dict(ContactMethod.choices)
    need_labels = dict(CommunicationNeed.choices)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="lay-partners-{organisation.short_name.lower().replace(" ", "-")}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["Name", "Preferred name", "Email", "Phone", "How to contact", "Communication needs", "Status", "Joined"]
    )
    for link in links:
        p = link.partner
        writer.writerow(
            [
                _csv_cell(p.full_name),
                _csv_cell(p.preferred_name),
                _csv_cell(p.email),
                _csv_cell(p.phone),
                "; ".join(str(contact_labels.get(m, m)) for m in p.contact_methods),
                "; ".join(str(need_labels.get(n, n)) for n in p.communication_needs),
                link.get_status_display(),
                link.joined_on.isoformat(),
            ]
        )
    return response


@login_required
def partner_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partner = selectors.get_partner_for_user(request.user, pk)
    links = selectors.links_visible_to(request.user, partner)
    org_ids = {link.organisation_id for link in links}
    return render(
        request,
        "partners/partner_detail.html",
        {
            "partner": partner,
            "labels": selectors.profile_labels(partner),
            "links": links,
            "can_edit": selectors.can_edit_partner(request.user, partner),
            "can_change_link": {
                link.pk for link in links if can_write(request.user, link.organisation_id, roles=DELIVERY_ROLES)
            },
            "consents": selectors.latest_consents(partner),
            "sections": profile_sections_for(partner, org_ids, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    partner = selectors.get_partner_for_user(request.user, pk, write=True)
    return _edit_section(
        request,
        partner=partner,
        section=section,
        back_url=reverse("partners:partner_detail", args=[partner.pk]),
        template_ctx={"own": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff record what an assisted-digital partner agreed to (on their behalf)."""
    partner = selectors.get_partner_for_user(request.user, pk, write=True)
    if not partner.is_assisted_digital:
        raise PermissionDenied("Partners with a login record their own consent.")
    latest = selectors.latest_consents(partner)
    form = ConsentForm(request.POST or None, initial=ConsentForm.initial_from(latest), on_behalf=True)
    if request.method == "POST" and form.is_valid():
        services.consent_update(actor=request.user, partner=partner, answers=form.answers())
        messages.success(request, "Their choices have been saved.")
        return redirect("partners:partner_detail", pk=partner.pk)
    return render(
        request,
        "partners/consent.html",
        {
            "form": form,
            "partner": partner,
            "own": False,
            "privacy_notice_version": services.PRIVACY_NOTICE_VERSION,
            "back_url": reverse("partners:partner_detail", args=[partner.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = _link_for_user(request, pk)
    form = LinkForm(request.POST or None, initial={"status": link.status, "joined_on": link.joined_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.link_update(
                actor=request.user,
                link=link,
                status=form.cleaned_data["status"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except services.PartnerError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Their status at {link.organisation.short_name} has been saved.")
            return redirect("partners:partner_detail", pk=link.partner_id)
    return render(request, "partners/link_edit.html", {"form": form, "link": link})


def _link_for_user(request: HttpRequest, pk: int) -> PartnerLink:
    return scoped_get_or_404(
        PartnerLink.objects.select_related("partner", "organisation"),
        request.user,
        write=request.method == "POST",
        write_roles=DELIVERY_ROLES,
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_adding_partners(request.user)
    if not organisations.exists():
        raise PermissionDenied("Your role cannot invite lay partners.")
    form = InvitePartnerForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.partner_invite(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
            )
        except services.PartnerError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect(f"{reverse('partners:directory')}?organisation={invitation.organisation_id}")
    return render(request, "partners/invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def partner_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_adding_partners(request.user)
    if not organisations.exists():
        raise PermissionDenied("Your role cannot register lay partners.")
    form = AssistedDigitalForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_register_assisted(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                details=form.details(),
                consents=form.answers(),
            )
        except services.PartnerError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"{partner.display_name} has been registered.")
            return redirect("partners:partner_detail", pk=partner.pk)
    return render(request, "partners/register.html", {"form": form})


@login_required
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not visible_organisation_ids(request.user, roles=MANAGER_ROLES):
        raise PermissionDenied("Only involvement leads decide on applications.")
    status = request.GET.get("status") or PartnerApplication.Status.PENDING
    if status not in PartnerApplication.Status.values:
        status = PartnerApplication.Status.PENDING
    applications = selectors.application_queue(request.user, status=status)
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/application_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": PartnerApplication.Status.choices,
            "query": _querystring_without_page(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.get_application_for_user(request.user, pk)
    can_decide = can_write(request.user, application.organisation_id, roles=MANAGER_ROLES)
    return render(
        request,
        "partners/application_detail.html",
        {"application": application, "can_decide": can_decide, "decline_form": DeclineApplicationForm()},
    )


@login_required
@require_POST
def application_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.get_application_for_user(request.user, pk, write=True)
    try:
        decided = services.application_accept(actor=request.user, application=application)
    except services.PartnerError as exc:
        messages.error(request, str(exc))
        return redirect("partners:application_detail", pk=application.pk)
    if decided.partner_id:
        messages.success(
            request,
            f"Application accepted. {decided.full_name} has no email address, so they have been "
            "registered as a partner supported by staff. Contact them to welcome them.",
        )
        return redirect("partners:partner_detail", pk=decided.partner_id)
    messages.success(request, f"Application accepted. We have emailed {decided.full_name} an invitation.")
    return redirect("partners:application_list")


@login_required
@require_http_methods(["GET", "POST"])
def application_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.get_application_for_user(request.user, pk, write=True)
    form = DeclineApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_decline(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except services.PartnerError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Application from {application.full_name} declined.")
            return redirect("partners:application_list")
    return render(request, "partners/application_decline.html", {"application": application, "form": form})


@login_required
def equality_summary(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = _staff_organisations(request)
    organisation = _chosen_organisation(request, organisations)
    return render(
        request,
        "partners/equality_summary.html",
        {
            "organisation": organisation,
            "organisations": organisations,
            "aggregates": selectors.equality_aggregates([organisation.pk]),
        },
    )


def _assisted_partner_for_write(request: HttpRequest, pk: int) -> LayPartner:
    partner = selectors.get_partner_for_user(request.user, pk, write=True)
    if not partner.is_assisted_digital:
        raise PermissionDenied("This person manages their own record.")
    return partner


@login_required
@require_http_methods(["GET", "POST"])
def partner_give_login(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Invite an assisted-digital partner who now has an email address to use the portal."""
    partner = _assisted_partner_for_write(request, pk)
    links = selectors.links_visible_to(request.user, partner)
    organisation = next(
        (
            link.organisation
            for link in links
            if link.status != PartnerLink.Status.LEFT
            and can_write(request.user, link.organisation_id, roles=DELIVERY_ROLES)
        ),
        None,
    )
    if organisation is None:
        raise PermissionDenied("Your role cannot invite this person.")
    error = None
    if request.method == "POST":
        try:
            services.partner_invite(
                actor=request.user,
                organisation=organisation,
                email=partner.email,
                full_name=partner.full_name,
                partner=partner,
            )
        except services.PartnerError as exc:
            error = str(exc)
        else:
            messages.success(request, f"We have emailed {partner.email} a link to set up their account.")
            return redirect("partners:partner_detail", pk=partner.pk)
    return render(
        request,
        "partners/give_login.html",
        {"partner": partner, "organisation": organisation, "error": error},
    )


@login_required
def partner_data(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff produce what the portal holds about an assisted-digital partner, for that person.

    Only this AHSN's relationship is included; each download is audited on their behalf."""
    partner = _assisted_partner_for_write(request, pk)
    links = [
        link
        for link in selectors.links_visible_to(request.user, partner)
        if can_write(request.user, link.organisation_id, roles=DELIVERY_ROLES)
    ]
    if not links:
        raise PermissionDenied("Your role cannot do this.")
    try:
        services.partner_data_released(
            actor=request.user,
            partner=partner,
            organisation=links[0].organisation,
            downloaded=request.GET.get("format") == "json",
        )
    except services.PartnerError as exc:
        raise PermissionDenied(str(exc)) from exc
    return _data_response(
        request,
        partner=partner,
        data=selectors.partner_data_export(
            partner, organisation_ids=[link.organisation_id for link in links], include_equality=False
        ),
        own=False,
        back_url=reverse("partners:partner_detail", args=[partner.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_record_leaving(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff record that an assisted-digital partner asked to leave (on their behalf)."""
    partner = _assisted_partner_for_write(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.partner_leave(partner=partner, actor=request.user)
        except services.PartnerError as exc:
            error = str(exc)
        else:
            messages.success(request, "Their personal details have been removed.")
            return redirect("partners:partner_detail", pk=partner.pk)
    return render(request, "partners/record_leaving.html", {"partner": partner, "error": error})
