"""Every write to programmes and strategy priorities: keyword-only, one transaction, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import DELIVERY_ROLES
from core.access import can_write, is_network_admin
from core.audit import log_action
from core.choices import SeldomHeardGroup
from core.errors import DomainError
from core.quarters import FinancialQuarter
from programmes.models import PlannedInvolvement, Programme, ProgrammeStatus, ProgrammeType, StrategyPriority

PROGRAMME_FIELDS = (
    "name",
    "programme_type",
    "innovation_stage",
    "lead",
    "status",
    "start_on",
    "closed_on",
    "involvement_plan",
    "equality_impact_note",
)


class ProgrammeError(DomainError):
    """A change we refuse, with a message to show the person who asked for it, and the form field
    it is about (None for the whole form)."""


def _check_dates(*, status: str, start_on: date, closed_on: date | None) -> None:
    """A programme closes on a day, no earlier than it started and no later than today; only a
    closed programme has a closed date. The quarterly report counts active programmes from these."""
    if status == ProgrammeStatus.CLOSED and closed_on is None:
        raise ProgrammeError("Enter the date the programme closed", field="closed_on")
    if closed_on is None:
        return
    if status != ProgrammeStatus.CLOSED:
        raise ProgrammeError(
            "Only a closed programme has a closed date. Remove the date, or choose Closed", field="closed_on"
        )
    if closed_on < start_on:
        raise ProgrammeError("The closed date must be the same as or after the start date", field="closed_on")
    if closed_on > timezone.localdate():
        raise ProgrammeError("The closed date must be today or in the past", field="closed_on")


def _check_sharing(
    *, organisation: Organisation, programme_type: str, shared_with: Iterable[Organisation]
) -> list[Organisation]:
    others = [org for org in shared_with if org.pk != organisation.pk]
    if others and programme_type != ProgrammeType.NATIONAL:
        raise ProgrammeError("Only a national programme can be shared with other AHSNs.")
    if any(org.is_network for org in others):
        raise ProgrammeError("Share a programme with AHSNs, not with the AHSN Network itself.")
    return others


def _check_lead(*, organisation: Organisation, lead: Any) -> None:
    if lead is not None and not lead.memberships.filter(organisation=organisation).exists():
        raise ProgrammeError(f"The programme lead must be a member of {organisation.name}.")


def programme_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    programme_type: str,
    innovation_stage: str,
    lead: Any = None,
    status: str = "active",
    start_on: date | None = None,
    closed_on: date | None = None,
    priorities: Iterable[StrategyPriority] = (),
    involvement_plan: str = "",
    equality_impact_note: str = "",
    shared_with: Iterable[Organisation] = (),
) -> Programme:
    if not can_write(actor, organisation.pk, roles=DELIVERY_ROLES):
        raise ProgrammeError(f"You cannot create programmes for {organisation.name}.")
    if organisation.is_network:
        raise ProgrammeError("Programmes belong to an AHSN. Choose the AHSN that runs it.")
    name = name.strip()
    start_on = start_on or timezone.localdate()
    _check_dates(status=status, start_on=start_on, closed_on=closed_on)
    others = _check_sharing(organisation=organisation, programme_type=programme_type, shared_with=shared_with)
    _check_lead(organisation=organisation, lead=lead)
    with transaction.atomic():
        _check_name_free(organisation=organisation, name=name)
        programme = Programme.objects.create(
            organisation=organisation,
            name=name,
            programme_type=programme_type,
            innovation_stage=innovation_stage,
            lead=lead,
            status=status,
            start_on=start_on,
            closed_on=closed_on,
            involvement_plan=involvement_plan,
            equality_impact_note=equality_impact_note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        programme.priorities.set(list(priorities))
        programme.shared_with.set(others)
        log_action(
            actor=actor,
            action="programmes.programme.created",
            target=programme,
            organisation=organisation,
            data={
                "type": programme_type,
                "priorities": sorted(p.code for p in programme.priorities.all()),
                "shared_with": sorted(o.short_name for o in others),
            },
        )
    return programme


def _check_name_free(*, organisation: Organisation, name: str, other_than: Programme | None = None) -> None:
    """An AHSN's programmes have different names (whatever the capitals)."""
    same_name = Programme.objects.filter(organisation=organisation, name__iexact=name)
    if other_than is not None:
        same_name = same_name.exclude(pk=other_than.pk)
    if same_name.exists():
        raise ProgrammeError(f"{organisation.short_name} already has a programme called {name}.")


def programme_update(
    *,
    actor: User,
    programme: Programme,
    priorities: Iterable[StrategyPriority] | None = None,
    shared_with: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Programme:
    """Change a programme. Only staff of the owning AHSN (or a network admin) may."""
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"Unknown programme fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Programme.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=programme.pk)
        if not can_write(actor, locked.organisation_id, roles=DELIVERY_ROLES):
            raise ProgrammeError("Only staff at the AHSN that owns this programme can change it.")
        if "name" in fields:
            fields["name"] = fields["name"].strip()
            _check_name_free(organisation=locked.organisation, name=fields["name"], other_than=locked)
        if "lead" in fields:
            _check_lead(organisation=locked.organisation, lead=fields["lead"])
        _check_dates(
            status=fields.get("status", locked.status),
            start_on=fields.get("start_on", locked.start_on),
            closed_on=fields.get("closed_on", locked.closed_on),
        )
        programme_type = fields.get("programme_type", locked.programme_type)
        current_shared = list(locked.shared_with.all()) if shared_with is None else list(shared_with)
        others = _check_sharing(
            organisation=locked.organisation, programme_type=programme_type, shared_with=current_shared
        )
        changed: dict[str, Any] = {}
        for key, value in fields.items():
            old = getattr(locked, key)
            if old != value:
                changed[key] = str(getattr(value, "pk", value)) if value is not None else None
                setattr(locked, key, value)
        locked.save()
        if priorities is not None:
            before = {p.pk for p in locked.priorities.all()}
            locked.priorities.set(list(priorities))
            after = {p.pk for p in locked.priorities.all()}
            if before != after:
                changed["priorities"] = sorted(p.code for p in locked.priorities.all())
        if shared_with is not None:
            before = {o.pk for o in locked.shared_with.all()}
            locked.shared_with.set(others)
            if before != {o.pk for o in others}:
                changed["shared_with"] = sorted(o.short_name for o in others)
        if changed:  # saved without a change: nothing to record
            log_action(
                actor=actor,
                action="programmes.programme.updated",
                target=locked,
                organisation=locked.organisation,
                data={"changed": changed},
            )
    return locked


def priority_save(
    *,
    actor: User,
    priority: StrategyPriority | None = None,
    code: str,
    theme: str,
    title: str,
    description: str = "",
    strategy: str = "2021-23",
    order: int = 0,
    active: bool = True,
) -> StrategyPriority:
    """Add or change a strategy priority (network admins only), so a later strategy needs no code."""
    if not is_network_admin(actor):
        raise ProgrammeError("Only network admins can change strategy priorities.")
    with transaction.atomic():
        clash = StrategyPriority.objects.filter(strategy=strategy, code=code.strip())
        if priority is not None:
            clash = clash.exclude(pk=priority.pk)
        if clash.exists():
            raise ProgrammeError(f"The {strategy} strategy already has a priority {code}.")
        if priority is None:
            priority = StrategyPriority(strategy=strategy)
            action = "programmes.priority.created"
        else:
            priority = StrategyPriority.objects.select_for_update().get(pk=priority.pk)
            action = "programmes.priority.updated"
        priority.code = code.strip()
        priority.theme = theme.strip()
        priority.title = title.strip()
        priority.description = description.strip()
        priority.strategy = strategy.strip()
        priority.order = order
        priority.active = active
        priority.save()
        log_action(
            actor=actor,
            action=action,
            target=priority,
            data={"code": priority.code, "strategy": priority.strategy, "active": priority.active},
        )
    return priority


# --- The involvement plan -------------------------------------------------------------------------


def _locked_programme_for_plan(*, actor: Any, programme: Programme) -> Programme:
    locked = Programme.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=programme.pk)
    if not can_write(actor, locked.organisation_id, roles=DELIVERY_ROLES):
        raise ProgrammeError("Only staff at the AHSN that owns this programme can change its plan.")
    return locked


def _plan_data(
    *, stage: str, level: str, seldom_heard_groups: Iterable[str], quarter: FinancialQuarter, description: str
) -> dict[str, Any]:
    groups = list(dict.fromkeys(seldom_heard_groups))
    unknown = set(groups) - set(SeldomHeardGroup.values)
    if unknown:
        raise ProgrammeError("Choose seldom-heard groups from the list", field="seldom_heard_groups")
    return {
        "stage": stage,
        "level": level,
        "seldom_heard_groups": groups,
        "period_start": quarter.start,
        "period_end": quarter.end,
        "description": description.strip(),
    }


def _plan_log_data(item: PlannedInvolvement) -> dict[str, Any]:
    return {
        "stage": item.stage,
        "level": item.level,
        "seldom_heard_groups": list(item.seldom_heard_groups),
        "quarter": item.quarter.label,
        "description": item.description,
    }


def planned_involvement_add(
    *,
    actor: Any,
    programme: Programme,
    stage: str,
    level: str,
    quarter: FinancialQuarter,
    seldom_heard_groups: Iterable[str] = (),
    description: str = "",
) -> PlannedInvolvement:
    """Add a line to a programme's involvement plan (staff of the owning AHSN, or a network admin)."""
    data = _plan_data(
        stage=stage, level=level, seldom_heard_groups=seldom_heard_groups, quarter=quarter, description=description
    )
    with transaction.atomic():
        locked = _locked_programme_for_plan(actor=actor, programme=programme)
        item = PlannedInvolvement.objects.create(programme=locked, **data)
        log_action(
            actor=actor,
            action="programmes.planned_involvement.added",
            target=item,
            organisation=locked.organisation,
            data={"programme": locked.pk, **_plan_log_data(item)},
        )
    return item


def planned_involvement_update(
    *,
    actor: Any,
    item: PlannedInvolvement,
    stage: str,
    level: str,
    quarter: FinancialQuarter,
    seldom_heard_groups: Iterable[str] = (),
    description: str = "",
) -> PlannedInvolvement:
    data = _plan_data(
        stage=stage, level=level, seldom_heard_groups=seldom_heard_groups, quarter=quarter, description=description
    )
    with transaction.atomic():
        locked = _locked_programme_for_plan(actor=actor, programme=item.programme)
        current = PlannedInvolvement.objects.select_for_update().get(pk=item.pk, programme=locked)
        before = _plan_log_data(current)
        for key, value in data.items():
            setattr(current, key, value)
        current.save()
        after = _plan_log_data(current)
        changed = {key: after[key] for key in after if after[key] != before[key]}
        if changed:
            log_action(
                actor=actor,
                action="programmes.planned_involvement.updated",
                target=current,
                organisation=locked.organisation,
                data={"programme": locked.pk, "changed": changed},
            )
    return current


def planned_involvement_remove(*, actor: Any, item: PlannedInvolvement) -> None:
    with transaction.atomic():
        locked = _locked_programme_for_plan(actor=actor, programme=item.programme)
        current = PlannedInvolvement.objects.select_for_update().get(pk=item.pk, programme=locked)
        log_action(
            actor=actor,
            action="programmes.planned_involvement.removed",
            target=current,
            organisation=locked.organisation,
            data={"programme": locked.pk, **_plan_log_data(current)},
        )
        current.delete()


# The rule a spreadsheet import checks each programme row against (imports.checking), so a row is
# refused for the same reasons the programme form refuses it.
check_programme_dates = _check_dates
