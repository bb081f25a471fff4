from __future__ import annotations

import pytest

from tests.conftest import client_for
from tests.partners.factories import partner_with_login


@pytest.fixture
def partner(wessex):
    """A lay partner with a login, linked to Wessex."""
    return partner_with_login(wessex, full_name="Rosa Martin", email="rosa@example.net")


@pytest.fixture
def partner_client(partner):
    return client_for(partner.user)


@pytest.fixture
def finance_client(finance):
    return client_for(finance)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Emails and notifications go after commit; `with run_on_commit(execute=True): ...`."""
    return django_capture_on_commit_callbacks
