"""Opportunities' entry in the navigation (core.navigation): lay partners only. Staff reach their
opportunities from a section on their home page, so the staff header keeps to one line."""

from core.navigation import PARTNER, NavEntry, register

register(
    NavEntry("Opportunities", "opportunities:list", order=90, audience=PARTNER),
)
