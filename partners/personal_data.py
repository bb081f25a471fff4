"""What other apps hold about a lay partner, registered by those apps (the partners app imports none).

Two journeys need it: the partner's information download (subject access: `partner_data_export`)
and leaving an AHSN or the portal (`link_update`, `partner_leave`), which clears the free text
the partner wrote. Each app that holds a partner's data registers one `PersonalData` in
`<app>/personal_data.py`, imported from its `AppConfig.ready()`. They run in the order registered
(the order of INSTALLED_APPS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    # Only for the annotations: partners.models does not need this module, but keeping the
    # registry free of model imports lets any app's models import it without a cycle.
    from partners.models import LayPartner


def iso_time(value: datetime | None) -> str | None:
    """A moment in the download: London time, ISO 8601."""
    return timezone.localtime(value).isoformat() if value else None


def iso_date(value: datetime) -> str:
    """The London calendar day of a moment, ISO 8601."""
    return timezone.localtime(value).date().isoformat()


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _no_records(partner: LayPartner, organisation_ids: list[int] | None, include_feedback: bool) -> dict[str, Any]:
    return {}


def _nothing_to_forget(partner: LayPartner, organisation_ids: list[int] | None, actor: Any) -> dict[str, int]:
    return {}


@dataclass(frozen=True)
class PersonalData:
    app: str
    # [(audit target type, query of the records about the partner)]: the download's audit log lists
    # the entries about these records.
    audit_targets: Callable[[LayPartner], list[tuple[str, QuerySet[Any]]]]
    # {section: [record, ...]} for the download. `organisation_ids`: only these AHSNs (None: all);
    # `include_feedback`: False when staff produce the download (they see feedback only without names).
    records: Callable[[LayPartner, list[int] | None, bool], dict[str, Any]] = _no_records
    # Clear what the partner wrote in this app at those AHSNs (None: everywhere) and undo what can no
    # longer go ahead; returns {what: how many}. Runs inside the leaving transaction, audited there.
    forget: Callable[[LayPartner, list[int] | None, Any], dict[str, int]] = _nothing_to_forget


_registered: list[PersonalData] = []


def register(data: PersonalData) -> PersonalData:
    for existing in _registered:
        if existing.app == data.app:
            if existing != data:
                raise ImproperlyConfigured(f"{data.app} registered its personal data twice.")
            return data
    _registered.append(data)
    return data


def records_about(
    partner: LayPartner, *, organisation_ids: Iterable[int] | None, include_feedback: bool
) -> dict[str, Any]:
    ids = list(organisation_ids) if organisation_ids is not None else None
    records: dict[str, Any] = {}
    for data in _registered:
        records.update(data.records(partner, ids, include_feedback))
    return records


def audit_targets(partner: LayPartner) -> list[tuple[str, QuerySet[Any]]]:
    return [target for data in _registered for target in data.audit_targets(partner)]


def forget(*, partner: LayPartner, organisation_ids: list[int] | None, actor: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for data in _registered:
        counts.update(data.forget(partner, organisation_ids, actor))
    return counts
