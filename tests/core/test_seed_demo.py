"""`manage.py seed_demo` (run by every `make run`) copes with edited demo data and never runs in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from partners.models import LayPartner, PartnerApplication
from tests.core.servers import SECRET_KEY, database_url, manage

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), LayPartner.objects.count(), PartnerApplication.objects.count()


def test_seed_demo_runs_again_after_people_change_their_names_and_email_addresses() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    before = _counts()
    # A partner changes their name and contact email on their profile; staff correct the name of
    # a partner they support and of someone who applied.
    LayPartner.objects.filter(email="partner3@demo.ahsn.test").update(
        full_name="Fatima Rahman-Ali", email="fatima.ra@example.org"
    )
    LayPartner.objects.filter(full_name="Arthur Penn").update(full_name="Arthur J. Penn")
    PartnerApplication.objects.filter(full_name="Jade Thompson").update(full_name="Jade Thomson")

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert _counts() == before
    assert LayPartner.objects.filter(full_name="Arthur J. Penn").count() == 1
    assert not LayPartner.objects.filter(full_name="Arthur Penn").exists()
    assert LayPartner.objects.get(user__email="partner3@demo.ahsn.test").email == "fatima.ra@example.org"
    assert "Demo lay partners: 34 (0 new)" in out.getvalue()


def test_seed_demo_refuses_production_settings_and_creates_nobody() -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "DJANGO_SETTINGS_MODULE": "ahsn_portal.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "EMAIL_HOST": "smtp.example.org",
    }
    result = manage("seed_demo", env=env)

    assert result.returncode != 0
    assert "seed_demo only runs with the local or test settings" in result.stderr
    assert "ahsn_portal.settings.production" in result.stderr
    assert not User.objects.filter(email__endswith="@demo.ahsn.test").exists()
