"""Importing this module registers every sweep, in the order they run."""

from core.reminders import forum, involvement, payments  # noqa: F401
