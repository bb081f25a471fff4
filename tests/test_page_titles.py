"""Every page's browser-tab title starts with its heading, and every aria-describedby points at
something on the page.

A screen reader announces the title first and people find tabs by it, so "Add an expense -
AHSN Involvement Portal" must name the page the <h1> names, with "Error: " in front when the
page shows an error summary (NHS.UK service manual). The walk covers the whole URL conf: the
demo data gives every page something to show, each page is opened as the first person who may
see it, and each form is sent once empty to see its error state. A new page that the walk
cannot reach fails `test_the_walk_reaches_every_page` until it is given an object or listed
as not being a page."""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.demo import DEMO_DOMAIN, DEMO_STAFF, demo_password, demo_totp_secret
from accounts.models import Membership, Organisation, User
from accounts.services import invitation_create
from core.models import Notification
from core.quarters import FinancialQuarter
from evidence.models import CaseStudy, CaseStudyQuote, DevelopmentSession, SessionAttendance
from forum.models import Action, AgendaItem, Forum, ForumMember, Meeting
from imports import services as import_services
from involvement.models import Activity, Outcome, Participation
from opportunities.models import Opportunity
from partners.forms import SECTION_FORMS
from partners.models import LayPartner, PartnerApplication, PartnerLink
from partners.services import partner_invite
from payments.models import Claim, ClaimLine, ExpenseCategory, PaymentBatch
from payments.services import batch_create
from programmes.models import PlannedInvolvement, Programme, StrategyPriority
from reports.models import QuarterlyReport
from reports.services import report_compile_request
from tests.accounts.test_sign_in_and_mfa import current_code

pytestmark = pytest.mark.django_db

# Routes that answer with something other than an HTML page of their own (a file, a feed, a
# redirect or a POST-only action button), or that are allauth's and switched off here.
NOT_PAGES = {
    "forum:notes_draft_discard": "a button on the notes page (POST only)",
    "forum:notes_draft": "keeps a half-written draft: called by the notes page's script, answers JSON",
    "healthz": "health check for the load balancer",
    "readyz": "readiness check for the load balancer (JSON)",
    "account_signup": "sign-up is closed: staff and lay partners are invited",
    "account_inactive": "allauth page for deactivated accounts; no inactive users here",
    "account_email_verification_sent": "allauth page shown only straight after sign-up",
    "account_request_reauthentication_code": "login by code is switched off",
    "account_confirm_reauthentication_code": "login by code is switched off",
    "account_confirm_login_code": "login by code is switched off",
    "mfa_download_recovery_codes": "a text file",
    "partners:directory_export": "CSV file",
    "involvement:activity_export": "CSV file",
    "involvement:activity_complete": "POST-only button",
    "involvement:outcome_evidence": "a file",
    "evidence:public_case_studies_feed": "Atom feed",
    "evidence:public_outcomes_feed": "Atom feed",
    "evidence:my_record": "a PDF file",
    "evidence:session_request_decide": "POST-only buttons on the session page",
    "evidence:session_ask": "POST-only button on the partner's learning page",
    "forum:notes_submit": "POST-only button",
    "forum:notes_publish": "POST-only button",
    "forum:agenda_item_move": "POST-only button",
    "forum:paper_download": "a file",
    "forum:calendar_feed": "iCalendar file",
    "core:calendar_feed": "iCalendar file",
    "involvement:my_activity_answer": "POST-only buttons on the partner's activity page",
    "forum:public_feed": "Atom feed",
    "payments:claim_approve": "POST-only button",
    "partners:application_accept": "POST-only button",
    "payments:receipt_download": "a file",
    "payments:batch_export": "CSV file",
    "payments:batch_create": "POST-only button",
    "reports:report_progress": "a fragment the report page polls",
    "reports:report_recompile": "POST-only button",
    "reports:report_download": "PDF, CSV and Word files",
    "core:notification_mark_all_read": "POST-only button",
    "core:message_mark_sent": "POST-only button",
    "core:failed_message_retry": "POST-only button",
    "imports:template_download": "an Excel or CSV file",
    "imports:import_problems": "CSV file",
    "imports:import_progress": "a fragment the import page polls",
    "imports:import_confirm": "POST-only button",
    "imports:import_decide": "POST-only form on the import page",
    "imports:import_invite": "POST-only button",
    "opportunities:manage_move": "POST-only buttons (publish, close early, reopen)",
    "opportunities:easy_read": "a PDF file",
    "opportunities:image": "an image file",
}


def _routes(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("django-admin"):
                continue  # Django's own admin, not an NHS.UK page
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace or namespace
            yield from _routes(p.url_patterns, inner or "")
        elif p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def all_page_names() -> list[str]:
    return sorted({name for name, _p in _routes(get_resolver().url_patterns)})


# ------------------------------------------------------------------ reading a page


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_title(html: str) -> str:
    match = re.search(r"<head>.*?<title>(.*?)</title>", html, re.S)
    return _text(match.group(1)) if match else ""


def page_h1s(html: str) -> list[str]:
    return [_text(m) for m in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)]


def shows_error_summary(html: str) -> bool:
    return 'class="nhsuk-error-summary"' in html


def title_problem(html: str) -> str:
    """What is wrong with the page's title, or "" when it starts with its heading."""
    h1s = page_h1s(html)
    if len(h1s) != 1:
        return f"{len(h1s)} <h1> headings"
    title, expected = page_title(html), ("Error: " if shows_error_summary(html) else "") + h1s[0]
    if not title.startswith(expected):
        return f"title {title!r} does not start with {expected!r}"
    if not shows_error_summary(html) and title.startswith("Error:"):
        return f"title {title!r} says Error but the page shows no error summary"
    return ""


def describedby_problem(html: str) -> str:
    """aria-describedby ids that are not on the page, or ""."""
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    missing = sorted(
        {ref for refs in re.findall(r'aria-describedby="([^"]*)"', html) for ref in refs.split() if ref not in ids}
    )
    return f"aria-describedby points at missing id(s) {missing}" if missing else ""


# ------------------------------------------------------------------ what to open each page with


def _pks(model: Any, n: int = 3, **filters: Any) -> list[dict[str, Any]]:
    return [{"pk": pk} for pk in model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True)[:n]]


def _one_of_each(model: Any, field: str, **filters: Any) -> list[dict[str, Any]]:
    """One object in each state (status), so each shape of a page is seen."""
    seen: dict[Any, int] = {}
    for pk, value in model.objects.filter(**filters).order_by("pk").values_list("pk", field):
        seen.setdefault(value, pk)
    return [{"pk": pk} for pk in seen.values()]


def page_arguments(lead: Any) -> dict[str, Callable[[], list[dict[str, Any]]]]:
    """For each route that takes arguments, a few sets of them from the demo data."""

    wessex = Organisation.objects.get(short_name="Wessex")

    def plan_lines() -> list[dict[str, Any]]:
        lines = PlannedInvolvement.objects.filter(programme__organisation__short_name="Wessex").order_by("pk")[:1]
        return [{"pk": line.programme_id, "item_pk": line.pk} for line in lines]

    def staff_invitation() -> list[dict[str, Any]]:
        _inv, token = invitation_create(actor=lead, organisation=wessex, email="new.person@example.org", role="staff")
        return [{"token": token}, {"token": "not-a-real-invitation"}]

    def partner_invitation() -> list[dict[str, Any]]:
        _inv, token = partner_invite(actor=lead, organisation=wessex, email="new.partner@example.net")
        return [{"token": token}, {"token": "not-a-real-invitation"}]

    def partners() -> list[dict[str, Any]]:
        picks = [
            LayPartner.objects.filter(is_assisted_digital=True).order_by("pk").first(),
            LayPartner.objects.filter(user__isnull=False, links__staff_can_edit=True).order_by("pk").first(),
            LayPartner.objects.filter(user__isnull=False).order_by("pk").first(),
        ]
        return [{"pk": p.pk} for p in picks if p is not None]

    def public_forum() -> list[dict[str, Any]]:
        return [{"slug": slug} for slug in Forum.objects.filter(is_public=True).values_list("slug", flat=True)[:1]]

    def public_meeting() -> list[dict[str, Any]]:
        meetings = Meeting.objects.filter(forum__is_public=True).select_related("forum").order_by("pk")[:3]
        return [{"slug": m.forum.slug, "pk": m.pk} for m in meetings]

    def expense_add() -> list[dict[str, Any]]:
        drafts = _pks(Claim, 1, status="draft")
        return [{**d, "category": c} for d in drafts for c in ExpenseCategory.values]

    def organisations() -> list[dict[str, Any]]:
        return [{"organisation_id": wessex.pk}]

    made_imports: list[dict[str, Any]] = []

    def imports() -> list[dict[str, Any]]:
        """A checked file with problems, one whose columns need matching, and an imported one."""
        if made_imports:
            return made_imports
        files = [
            b"Full name,Email address,Phone number\nSam Okafor,sam.import@example.com,\nNo Phone,,123\n",
            b"Who,Contact\nSam,sam.other@example.com\n",
            b"Full name,Email address\nAli Khan,ali.import@example.com\n",
        ]
        batches = [
            import_services.import_upload(
                actor=lead, organisation=wessex, kind="partners", upload=SimpleUploadedFile("p.csv", data)
            )
            for data in files
        ]
        import_services.import_confirm(actor=lead, batch=batches[2], run=False)
        import_services.import_run(batch_id=batches[2].pk)
        made_imports.extend({"pk": b.pk} for b in batches)
        return made_imports

    claims = lambda: _one_of_each(Claim, "status")  # noqa: E731
    meetings = lambda: _one_of_each(Meeting, "status")  # noqa: E731
    activities = lambda: _one_of_each(Activity, "status")  # noqa: E731
    draft_claims = lambda: _pks(Claim, 2, status="draft")  # noqa: E731
    draft_lines = lambda: _pks(ClaimLine, 3, claim__status="draft")  # noqa: E731
    forums = lambda: _pks(Forum, 2)  # noqa: E731
    opportunities = lambda: _one_of_each(Opportunity, "state")  # noqa: E731
    return {
        "account_confirm_email": lambda: [{"key": "not-a-real-key"}],
        "account_reset_password_from_key": lambda: [{"uidb36": "1", "key": "not-a-real-key"}],
        "accounts:membership_change_role": lambda: _pks(Membership, 2, organisation=wessex),
        "accounts:membership_remove": lambda: _pks(Membership, 2, organisation=wessex),
        "accounts:invitation_accept": staff_invitation,
        "core:notification_detail": lambda: _pks(Notification, 3, user__isnull=False),
        "partners:application_detail": lambda: _one_of_each(PartnerApplication, "status"),
        "partners:application_decline": lambda: _pks(PartnerApplication, 1, status="pending"),
        "partners:link_edit": lambda: _pks(PartnerLink, 1, organisation=wessex),
        "partners:partner_detail": partners,
        "partners:partner_edit": lambda: [{**p, "section": s} for p in partners()[:1] for s in SECTION_FORMS],
        "partners:partner_consent": lambda: _pks(LayPartner, 1, is_assisted_digital=True),
        "partners:partner_give_login": lambda: _pks(LayPartner, 1, is_assisted_digital=True),
        "partners:partner_record_leaving": partners,
        "partners:partner_data": partners,
        "partners:my_profile_edit": lambda: [{"section": s} for s in SECTION_FORMS],
        "partners:invitation_accept": partner_invitation,
        "programmes:programme_detail": lambda: _pks(Programme, 2),
        "programmes:programme_edit": lambda: _pks(Programme, 1),
        "programmes:programme_outcome_create": lambda: _pks(Programme, 1),
        "programmes:programme_plan": lambda: _pks(Programme, 1),
        "programmes:plan_item_create": lambda: _pks(Programme, 1),
        "programmes:plan_item_edit": plan_lines,
        "programmes:plan_item_remove": plan_lines,
        "programmes:priority_edit": lambda: _pks(StrategyPriority, 1),
        "involvement:activity_detail": activities,
        "involvement:activity_edit": activities,
        "involvement:activity_duplicate": lambda: _pks(Activity, 1),
        "involvement:activity_cancel": lambda: _pks(Activity, 1, status="planned"),
        "involvement:participants_add": lambda: _pks(Activity, 1, status="planned"),
        "involvement:attendance": activities,
        "involvement:outcome_create": lambda: _pks(Activity, 1, status="completed"),
        "involvement:participation_remove": lambda: _pks(Participation, 1, attended__isnull=True),
        "involvement:outcome_edit": lambda: _pks(Outcome, 2),
        "involvement:outcome_detail": lambda: _pks(Outcome, 2),
        "involvement:outcome_progress": lambda: _pks(Outcome, 1),
        "involvement:my_outcome_detail": lambda: _pks(Outcome, 3),
        "evidence:case_study_from_outcome": lambda: _pks(Outcome, 1, organisation__short_name="Wessex"),
        "evidence:case_study_from_programme": lambda: _pks(Programme, 1, organisation__short_name="Wessex"),
        "evidence:case_study_detail": lambda: _one_of_each(CaseStudy, "state"),
        "evidence:case_study_edit": lambda: _pks(CaseStudy, 1),
        "evidence:case_study_share": lambda: _pks(CaseStudy, 1, state="draft"),
        "evidence:case_study_publish": lambda: _pks(CaseStudy, 1, state="shared"),
        "evidence:quote_add": lambda: _pks(CaseStudy, 1, state="draft"),
        "evidence:quote_remove": lambda: _pks(CaseStudyQuote, 1),
        "evidence:quote_answer": lambda: _pks(CaseStudyQuote, 2),
        "evidence:session_detail": lambda: _one_of_each(DevelopmentSession, "audience"),
        "evidence:session_edit": lambda: _pks(DevelopmentSession, 1),
        "evidence:attendance_add": lambda: _one_of_each(DevelopmentSession, "audience"),
        "evidence:attendance_remove": lambda: _pks(SessionAttendance, 1),
        "evidence:public_page": lambda: [{"slug": "wessex"}],
        "evidence:public_case_study": lambda: [
            {"slug": "wessex", "pk": pk}
            for pk in CaseStudy.objects.filter(state="published").values_list("pk", flat=True)
        ],
        "involvement:feedback": lambda: _pks(Participation, 5, attended=True, partner__user__isnull=False),
        "involvement:my_activity": lambda: _pks(Participation, 5, partner__user__isnull=False),
        "forum:forum_detail": forums,
        "forum:forum_edit": forums,
        "forum:member_add": forums,
        "forum:meeting_create": forums,
        "forum:action_log": forums,
        "forum:calendar_link": forums,
        "forum:member_edit": lambda: _pks(ForumMember, 2),
        "forum:meeting_detail": meetings,
        "forum:meeting_edit": meetings,
        "forum:meeting_cancel": lambda: _pks(Meeting, 1, status="scheduled"),
        "forum:agenda_item_add": meetings,
        "forum:apology_send": lambda: _pks(Meeting, 2, status="scheduled"),
        "forum:apology_record": meetings,
        "forum:attendance_record": meetings,
        "forum:notes_edit": meetings,
        "forum:notes_approve": meetings,
        "forum:action_add": meetings,
        "forum:decision_add": meetings,
        "forum:paper_upload": lambda: _pks(AgendaItem, 1),
        "forum:action_edit": lambda: _pks(Action, 2),
        "forum:public_forum": public_forum,
        "forum:public_meeting": public_meeting,
        "payments:claim_detail": claims,
        "payments:line_fee_add": draft_claims,
        "payments:expense_choose": draft_claims,
        "payments:expense_add": expense_add,
        "payments:claim_check": draft_claims,
        "payments:claim_sent": lambda: _pks(Claim, 1, status="submitted"),
        "payments:claim_withdraw": lambda: _pks(Claim, 1, status="submitted"),
        "payments:claim_return": lambda: _pks(Claim, 1, status="submitted"),
        "payments:claim_reject": lambda: _pks(Claim, 1, status="submitted"),
        "payments:receipt_upload": draft_lines,
        "payments:line_remove": draft_lines,
        "payments:line_change": lambda: _pks(ClaimLine, 2, claim__status="draft", participation__isnull=True),
        "payments:line_query": lambda: _pks(ClaimLine, 2, claim__status="submitted"),
        "payments:rate_card_create": organisations,
        "payments:batch_detail": lambda: (
            _pks(PaymentBatch, 1, paid_at__isnull=True) + _pks(PaymentBatch, 1, paid_at__isnull=False)
        ),
        "payments:batch_mark_paid": lambda: _pks(PaymentBatch, 1, paid_at__isnull=True),
        "reports:report_detail": lambda: _one_of_each(QuarterlyReport, "status"),
        "reports:report_narrative": lambda: _pks(QuarterlyReport, 1),
        "imports:import_detail": imports,
        "imports:import_columns": imports,
        "imports:import_undo": imports,
        "reports:report_publish": lambda: _pks(QuarterlyReport, 1),
        "opportunities:detail": lambda: _one_of_each(Opportunity, "state", state__in=["open", "closed", "filled"]),
        "opportunities:express": lambda: _pks(Opportunity, 1, state="open"),
        "opportunities:withdraw": lambda: _pks(Opportunity, 1, state="open"),
        "opportunities:public_detail": lambda: _pks(Opportunity, 1, state="open", open_to_new_people=True),
        "opportunities:manage_detail": opportunities,
        "opportunities:manage_preview": opportunities,
        "opportunities:interested": opportunities,
        "opportunities:manage_edit": lambda: _pks(Opportunity, 1, state="draft") + _pks(Opportunity, 1, state="open"),
        "opportunities:manage_filled": lambda: _pks(Opportunity, 1, state="closed"),
        "opportunities:manage_cancel": lambda: _pks(Opportunity, 1, state="open"),
        "opportunities:on_behalf": lambda: _pks(Opportunity, 1, state="open"),
    }


# ------------------------------------------------------------------ who opens them


def _clients() -> list[tuple[str, Client]]:
    """Everyone in the demo, most privileged staff first, then every lay partner with a login;
    then a lead who has just signed in and confirmed it is them (allauth's authenticator pages),
    one half-way through signing in (the code page), someone without a password and a visitor."""

    people: list[tuple[str, Client]] = []
    for local, _name, _org, _role in DEMO_STAFF:
        client = Client()
        client.force_login(User.objects.get(email=f"{local}@{DEMO_DOMAIN}"))
        people.append((local, client))
    for partner in LayPartner.objects.filter(user__isnull=False).select_related("user").order_by("pk"):
        client = Client()
        assert partner.user is not None
        client.force_login(partner.user)
        people.append((f"partner {partner.reference}", client))
    just_signed_in = Client()  # allauth shows the authenticator's own pages only just after signing in
    just_signed_in.post("/accounts/login/", {"login": f"lead.yorkshire@{DEMO_DOMAIN}", "password": demo_password()})
    just_signed_in.post("/accounts/2fa/authenticate/", {"code": current_code(demo_totp_secret())})
    just_signed_in.post("/accounts/reauthenticate/", {"password": demo_password()})
    people.append(("lead.yorkshire just signed in", just_signed_in))
    halfway = Client()
    halfway.post("/accounts/login/", {"login": f"lead.wessex@{DEMO_DOMAIN}", "password": demo_password()})
    people.append(("lead.wessex signing in", halfway))
    no_password = Client()  # someone who has never set a password (allauth's "set password" page)
    no_password.force_login(User.objects.create_user(email="no.password@example.org", password=None))
    people.append(("someone without a password", no_password))
    people.append(("visitor", Client()))
    return people


def _urls(lead: Any) -> Iterator[tuple[str, str]]:
    arguments = page_arguments(lead)
    for name in all_page_names():
        if name in NOT_PAGES:
            continue
        if name in arguments:
            for kwargs in arguments[name]():
                yield name, reverse(name, kwargs=kwargs)
        else:
            yield name, reverse(name)


@pytest.fixture
def demo(settings, django_capture_on_commit_callbacks) -> dict[str, Any]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())

    lead = User.objects.get(email=f"lead.wessex@{DEMO_DOMAIN}")
    wessex = Organisation.objects.get(short_name="Wessex")
    # The demo has no quarterly report, and every payment batch in it is paid: add one of each.
    with django_capture_on_commit_callbacks(execute=True):
        report_compile_request(scope=wessex, quarter=FinancialQuarter.last_completed(), actor=lead)
        batch_create(organisation=wessex, actor=User.objects.get(email=f"finance.wessex@{DEMO_DOMAIN}"))
    return {"lead": lead}


def _walk(demo: dict[str, Any]) -> tuple[dict[str, list[str]], set[str]]:
    """Open every page (then send each form empty); returns the problems by page, and the
    names of the routes that no one could open."""
    clients = _clients()
    problems: dict[str, list[str]] = {}
    reached: set[str] = set()
    forms: list[tuple[str, str, Client]] = []
    names = set(all_page_names()) - set(NOT_PAGES)
    for name, url in _urls(demo["lead"]):
        for who, client in clients:
            response = client.get(url)
            if 300 <= response.status_code < 400 or not response["Content-Type"].startswith("text/html"):
                continue  # a redirect: someone else may open it
            html = response.content.decode()  # the page, or the 403, 404 or 410 page (also checked)
            found = [p for p in (title_problem(html), describedby_problem(html)) if p]
            if found:
                problems.setdefault(f"GET {url}", [f"as {who} ({response.status_code})", *found])
            if response.status_code != 200:
                continue
            reached.add(name)
            if re.search(r'<form[^>]*method="post"', html, re.I):
                forms.append((url, who, client))
            break
    for url, who, client in forms:
        response = client.post(url, {"_": ""})
        if 300 <= response.status_code < 400 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        found = [p for p in (title_problem(html), describedby_problem(html)) if p]
        if found:
            problems.setdefault(f"POST {url}", [f"as {who} ({response.status_code})", *found])
    return problems, names - reached


def test_every_page_title_starts_with_its_heading_and_every_hint_reference_exists(demo):
    problems, unreached = _walk(demo)
    report = "\n".join(f"{where}: {'; '.join(found)}" for where, found in sorted(problems.items()))
    assert not problems, f"{len(problems)} page(s) with a wrong title or a dangling aria-describedby:\n{report}"
    # A page the walk cannot open is a page nobody checks: give it an object in page_arguments,
    # or say in NOT_PAGES why it is not a page.
    assert not unreached, f"no one could open these pages with the demo data: {sorted(unreached)}"


def test_the_sign_in_page_points_each_field_at_hints_and_errors_that_exist(client):
    for response in (client.get("/accounts/login/"), client.post("/accounts/login/", {"login": "", "password": ""})):
        html = response.content.decode()
        assert 'id="id_password"' in html
        assert describedby_problem(html) == ""
        assert title_problem(html) == ""
    assert 'aria-describedby="id_password-error"' in html, "the error is announced with the field"
