"""What case studies add to home pages: staff see their drafts and the network's library; a lay
partner sees any request to quote them (through `partners.sections`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from core.dashboard import DashboardSection, register
from evidence import selectors
from evidence.models import CaseStudyState
from evidence.permissions import is_network_staff
from partners.sections import register_home_section


@register
def staff_sections(user: Any) -> list[DashboardSection]:
    if not is_network_staff(user):
        return []
    drafts = list(selectors.case_studies_of(user).filter(state=CaseStudyState.DRAFT)[:5])
    return [
        DashboardSection(
            title="Draft case studies",
            items=[{"text": c.title, "url": reverse("evidence:case_study_detail", args=[c.pk])} for c in drafts],
            empty_text="You have no draft case studies.",
            link_url=reverse("evidence:library"),
            link_text="Search the network's case studies",
        )
    ]


@register_home_section
def partner_sections(partner: Any) -> list[DashboardSection]:
    waiting = list(selectors.quotes_waiting_for(partner)[:5])
    if not waiting:
        return []
    return [
        DashboardSection(
            title="May we quote you?",
            items=[
                {
                    "text": f"{q.case_study.organisation.name}: {q.case_study.title}",
                    "url": reverse("evidence:quote_answer", args=[q.pk]),
                }
                for q in waiting
            ],
        )
    ]


@register
def learning_sections(user: Any) -> list[DashboardSection]:
    """Staff: sessions with lay partners' requests waiting for an answer, and the way to all sessions."""
    if not is_network_staff(user):
        return []
    waiting: list[Any] = list(selectors.sessions_of(user).filter(Q(waiting__gt=0))[:5])
    return [
        DashboardSection(
            title="Learning and development",
            items=[
                {
                    "text": f"{s.title}: {s.waiting} request{'s' if s.waiting != 1 else ''} to take part",
                    "url": reverse("evidence:session_detail", args=[s.pk]),
                }
                for s in waiting
            ],
            empty_text="No lay partner is waiting for an answer about a session.",
            link_url=reverse("evidence:session_list"),
            link_text="Learning and development sessions",
        )
    ]
