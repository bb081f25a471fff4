"""A lay partner's activities and feedback in their information download, and what leaving does
to their feedback (partners.personal_data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from involvement.models import Feedback, Participation
from partners.models import LayPartner
from partners.personal_data import PersonalData, iso_date, iso_time, money_text, register


def _records(partner: LayPartner, organisation_ids: list[int] | None, include_feedback: bool) -> dict[str, Any]:
    participation_qs = (
        Participation.objects.filter(partner=partner)
        .select_related("activity__organisation")
        .order_by("activity__starts_at", "id")
    )
    if organisation_ids is not None:
        participation_qs = participation_qs.filter(activity__organisation_id__in=organisation_ids)
    records: dict[str, Any] = {
        "activities": [
            {
                "activity": p.activity.title,
                "ahsn": p.activity.organisation.name,
                "date": iso_date(p.activity.starts_at),
                "role": p.role,
                "attended": p.attended,
                "hours": money_text(p.hours),
            }
            for p in participation_qs
        ]
    }
    if include_feedback:
        feedback_qs = (
            Feedback.objects.filter(participation__partner=partner)
            .select_related("participation__activity")
            .order_by("submitted_at", "id")
        )
        records["feedback"] = [
            {
                "activity": f.participation.activity.title,
                "activity_date": iso_date(f.participation.activity.starts_at),
                "i_felt_listened_to": f.listened_to,
                "my_role_was_clear": f.role_clear,
                "the_support_was_right_for_me": f.support_right,
                "i_would_take_part_again": f.take_part_again,
                "comments": f.comments,
                "staff_may_see_my_name": f.may_use_name,
                "sent": iso_time(f.submitted_at),
            }
            # Staff see feedback only without names: only the partner's own download lists theirs.
            for f in (feedback_qs if organisation_ids is None else feedback_qs.none())
        ]
    return records


def _audit_targets(partner: LayPartner) -> list[tuple[str, QuerySet[Any]]]:
    return [
        ("involvement.participation", Participation.objects.filter(partner=partner)),
        ("involvement.feedback", Feedback.objects.filter(participation__partner=partner)),
    ]


def _forget(partner: LayPartner, organisation_ids: list[int] | None, actor: Any) -> dict[str, int]:
    """Feedback comments are cleared; the scores stay for reports."""
    feedback = Feedback.objects.filter(participation__partner=partner).exclude(comments="", may_use_name=False)
    if organisation_ids is not None:
        feedback = feedback.filter(participation__activity__organisation_id__in=organisation_ids)
    return {"feedback_comments_cleared": feedback.update(comments="", may_use_name=False)}


register(PersonalData(app="involvement", records=_records, audit_targets=_audit_targets, forget=_forget))
