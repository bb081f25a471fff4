"""Payments to lay partners: money paid, claims by state and how long payment takes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from reports.indicators import Scope, Window


def add(section: dict[str, Any], scope: Scope, window: Window) -> None:
    try:
        apps.get_model("payments", "Claim")
    except LookupError:
        section["notes"].append("Payment indicators are not available: claims are not in the portal yet.")
        return
    section["notes"].append("Payment indicators are not available yet.")
