"""Create demo data. Idempotent: running it twice changes nothing the second time, also after people
have edited the demo records (each module finds its records by a key that editing leaves alone,
such as an account's email address). Refuses to run with production settings."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_DOMAIN, DEMO_STAFF, demo_password, demo_totp_secret


class Command(BaseCommand):
    help = "Create demo users, organisations' data and activity for trying the portal."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo only runs with the local or test settings "
                f"(DJANGO_SETTINGS_MODULE is {settings.SETTINGS_MODULE}). It creates accounts, "
                "including a network admin, whose password and authenticator secret are published "
                "in the README: never run it against a live portal."
            )
        context: dict[str, Any] = {}
        # Each app that has demo data provides `<app>/demo.py` with `seed(out, context)`;
        # they run in INSTALLED_APPS order so later apps can use earlier apps' records.
        for app_config in apps.get_app_configs():
            try:
                module = import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app_config.name}.demo":
                    raise
                continue
            if app_config.name == "accounts":
                context.update(module.seed(self.stdout))
            else:
                context.update(module.seed(self.stdout, context) or {})
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password: {demo_password()})")
        for local, _name, org, role in DEMO_STAFF:
            email = f"{local}@{DEMO_DOMAIN}"
            self.stdout.write(f"  {email:<36} {role.label} at {org}")
        self.stdout.write(f"Authenticator secret (TOTP) for every demo staff account: {demo_totp_secret()}")
