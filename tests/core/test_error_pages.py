"""The portal's own error pages: NHS.UK layout, plain English, and a way back home."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Role
from tests.accounts.factories import MembershipFactory, UserFactory, with_totp
from tests.conftest import client_for


def test_an_outsider_sees_the_portal_page_not_found(outsider_client):
    response = outsider_client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'class="nhsuk-header"' in page and "Go to your home page" in page


def test_a_read_only_role_is_told_why_it_cannot_do_something(wessex):
    finance = UserFactory()
    MembershipFactory(user=finance, organisation=wessex, role=Role.FINANCE)
    with_totp(finance)
    response = client_for(finance).get(reverse("programmes:programme_create"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>You cannot do this</h1>" in page
    assert "ask your involvement lead" in page


def test_the_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in page and "dist/portal.css" in page
