from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import AcceptInvitationForm, ChangeRoleForm, InvitationForm, MyAccountForm
from accounts.models import User
from accounts.roles import NETWORK_ADMIN_ROLES, Role
from accounts.typing import AuthenticatedHttpRequest, signed_in_user
from core.access import can_write, memberships_of, visible_organisations
from core.errors import add_form_error
from core.forms import query_id


@login_required
@require_http_methods(["GET", "POST"])
def my_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MyAccountForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        services.user_update_name(user=request.user, full_name=form.cleaned_data["full_name"])
        messages.success(request, "Your name has been saved.")
        return redirect("accounts:my_account")

    has_totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
    return render(
        request,
        "accounts/my_account.html",
        {"form": form, "memberships": memberships_of(request.user), "has_totp": has_totp},
    )


@login_required
def membership_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = visible_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("You are not a member of any organisation.")
    selected = None
    if org_id := request.GET.get("organisation"):
        selected = selectors.get_organisation_for_user(request.user, query_id(org_id) or 0)
    memberships = selectors.membership_list(user=request.user, organisation=selected)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    manageable_ids = {o.pk for o in selectors.managed_organisations(request.user)}
    return render(
        request,
        "accounts/membership_list.html",
        {
            "page_obj": page,
            "organisations": organisations,
            "selected": selected,
            "manageable_ids": manageable_ids,
            "can_invite": bool(manageable_ids),
            "invitations": selectors.pending_invitations(user=request.user, organisation=selected)
            if manageable_ids
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = selectors.managed_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied("Only involvement leads and network admins can invite people.")
    form = InvitationForm(request.POST or None, organisations=organisations)
    form.fields["organisation"].error_messages["invalid_choice"] = (
        "You can only invite people to an organisation where you are an involvement lead"
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
        except services.AccountsError as exc:
            add_form_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:membership_list")
    return render(request, "accounts/membership_invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def membership_change_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk, write=True)
    form = ChangeRoleForm(request.POST or None, initial={"role": membership.role})
    if not can_write(request.user, membership.organisation_id, roles=NETWORK_ADMIN_ROLES):
        form.fields["role"].choices = [c for c in Role.choices if c[0] != Role.NETWORK_ADMIN]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
        except services.AccountsError as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request, f"{membership.user.email} is now {Role(form.cleaned_data['role']).label.lower()}."
            )
            return redirect("accounts:membership_list")
    return render(request, "accounts/membership_change_role.html", {"form": form, "membership": membership})


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = selectors.get_membership_for_user(request.user, pk, write=True)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except services.AccountsError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{membership.user.email} has been removed from {membership.organisation.name}.")
            return redirect("accounts:membership_list")
    return render(request, "accounts/membership_remove.html", {"membership": membership, "error": error})


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.AccountsError as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if has_account:
        if request.method == "POST":
            try:
                services.invitation_accept(token=token, password=None, user=signed_in_user(request))
            except services.AccountsError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"You have joined {invitation.organisation.name}.")
                return redirect("core:dashboard")
        return render(request, "accounts/invitation_existing.html", {"invitation": invitation})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
            )
        except services.AccountsError as exc:
            form.add_error("password1", str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You have joined {invitation.organisation.name}.")
            return redirect("core:dashboard")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})
