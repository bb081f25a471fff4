"""Atom feeds of an AHSN's published case studies and its public "You said, we did"."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks

from accounts.models import Organisation
from core.formatting import date_text
from evidence.models import CaseStudy
from involvement.models import Outcome


def _feed(organisation: Organisation, *, request: HttpRequest, title: str, slug: str, feed_name: str) -> Atom1Feed:
    page = request.build_absolute_uri(reverse("evidence:public_page", args=[slug]))
    return Atom1Feed(
        title=f"{organisation.name}: {title}",
        link=page,
        description=f"{title} from {organisation.name}.",
        author_name=organisation.name,
        language="en-GB",
        feed_url=request.build_absolute_uri(reverse(feed_name, args=[slug])),
        feed_guid=request.build_absolute_uri(reverse(feed_name, args=[slug])),
    )


def case_studies_feed(
    organisation: Organisation, case_studies: list[CaseStudy], *, slug: str, request: HttpRequest
) -> str:
    feed = _feed(
        organisation, request=request, title="case studies", slug=slug, feed_name="evidence:public_case_studies_feed"
    )
    for case_study in case_studies:
        link = request.build_absolute_uri(reverse("evidence:public_case_study", args=[slug, case_study.pk]))
        feed.add_item(
            title=case_study.title,
            link=link,
            description=linebreaks(escape(case_study.what_changed)),
            unique_id=link,
            pubdate=case_study.published_at,
            updateddate=case_study.updated_at,
        )
    return feed.writeString("utf-8")


def outcomes_feed(organisation: Organisation, outcomes: list[Outcome], *, slug: str, request: HttpRequest) -> str:
    feed = _feed(
        organisation, request=request, title="You said, we did", slug=slug, feed_name="evidence:public_outcomes_feed"
    )
    page = request.build_absolute_uri(reverse("evidence:public_page", args=[slug]))
    for outcome in outcomes:
        feed.add_item(
            title=f"You said: {outcome.what_we_heard[:100]}",
            link=f"{page}#outcome-{outcome.pk}",
            description=linebreaks(
                escape(
                    f"You said: {outcome.what_we_heard}\n\nWe did: {outcome.what_we_did}\n\n"
                    f"Where this is now: {outcome.get_status_display().lower()} ({date_text(outcome.decided_on)})."
                )
            ),
            unique_id=f"{page}#outcome-{outcome.pk}",
            updateddate=outcome.updated_at,
        )
    return feed.writeString("utf-8")
