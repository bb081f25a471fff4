"""What case studies add to home pages: staff see their drafts and the network's library; a lay
partner sees any request to quote them (through `partners.sections`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from core.dashboard import DashboardSection, register
from core.links import url_for_each
from evidence import selectors
from evidence.permissions import is_network_staff
from partners.sections import register_home_section


@register
def staff_sections(user: Any) -> list[DashboardSection]:
    if not is_network_staff(user):
        return []
    drafts = selectors.drafts_of(user, limit=5)
    case_study_url = url_for_each("evidence:case_study_detail")
    return [
        DashboardSection(
            title="Draft case studies",
            items=[{"text": title, "url": case_study_url(pk)} for pk, title in drafts],
            empty_text="You have no draft case studies.",
            link_url=reverse("evidence:library"),
            link_text="Search the network's case studies",
        )
    ]


@register_home_section
def partner_sections(partner: Any) -> list[DashboardSection]:
    quotes = selectors.quotes_waiting_for(partner)
    waiting = list(quotes.values_list("pk", "case_study__organisation__name", "case_study__title")[:5])
    if not waiting:
        return []
    answer_url = url_for_each("evidence:quote_answer")
    return [
        DashboardSection(
            title="May we quote you?",
            items=[
                {"text": f"{organisation_name}: {title}", "url": answer_url(pk)}
                for pk, organisation_name, title in waiting
            ],
        )
    ]


@register
def learning_sections(user: Any) -> list[DashboardSection]:
    """Staff: sessions with lay partners' requests waiting for an answer, and the way to all sessions."""
    if not is_network_staff(user):
        return []
    sessions = selectors.sessions_of(user).filter(Q(waiting__gt=0))
    waiting = sessions.values_list("pk", "title", "waiting")[:5]  # type: ignore[misc]  # annotations the stubs cannot see
    session_url = url_for_each("evidence:session_detail")
    return [
        DashboardSection(
            title="Learning and development",
            items=[
                {"text": f"{title}: {count} request{'s' if count != 1 else ''} to take part", "url": session_url(pk)}
                for pk, title, count in waiting
            ],
            empty_text="No lay partner is waiting for an answer about a session.",
            link_url=reverse("evidence:session_list"),
            link_text="Learning and development sessions",
        )
    ]
