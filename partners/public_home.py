"""The "register your interest" section of the public home page (core.public_home)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from core.public_home import PublicSection


def join_section(request: HttpRequest) -> PublicSection:
    return PublicSection(
        title="Become a lay partner",
        text=(
            "Tell us a little about yourself and the AHSN near you. Their involvement lead will be in "
            "touch to talk about how you would like to take part. It takes about 5 minutes."
        ),
        link_url=reverse("partners:join"),
        link_text="Register your interest",
    )
