"""The directory's rows and the partner pages' sections drawn in Python (partners_tags.directory_rows,
core.dashboard.sections_html) and the directory's one-query name search (selectors.directory_page) give what the
templates and Django's paginator gave before."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe

from core.dashboard import DashboardSection, sections_html
from partners import selectors
from partners.models import PartnerLink
from partners.templatetags.partners_tags import directory_rows
from tests.partners.factories import LayPartnerFactory, PartnerLinkFactory

pytestmark = pytest.mark.django_db

# The rows as templates/partners/directory.html drew them before directory_rows.
TEMPLATE_ROWS = Template(
    """{% load portal %}{% for link in links %}{% with p=link.partner %}
    <tr class="nhsuk-table__row">
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Name </span><span><a href="{% url 'partners:partner_detail' p.pk %}">{{ p.full_name }}</a>{% if p.preferred_name %}<br><span class="nhsuk-body-s">Known as {{ p.preferred_name }}</span>{% endif %}{% if p.is_assisted_digital %}<br><strong class="nhsuk-tag nhsuk-tag--blue">Supported by staff</strong>{% endif %}</span></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Status </span><strong class="nhsuk-tag {% if link.status == 'active' %}nhsuk-tag--green{% elif link.status == 'paused' %}nhsuk-tag--yellow{% else %}nhsuk-tag--grey{% endif %}">{{ link.get_status_display }}</strong></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Joined </span><span class="nhsuk-u-nowrap">{{ link.joined_on|date_text }}</span></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Contact </span><span class="portal-table-contact">{{ p.email|default:"" }}{% if p.email and p.phone %}<br>{% endif %}<span class="nhsuk-u-nowrap">{{ p.phone|default:"" }}</span>{% if not p.email and not p.phone %}By post{% endif %}</span></td>
      <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Needs </span><span>{% for need in p.communication_needs %}{% if need == "large_print" %}Large print{% elif need == "easy_read" %}Easy read{% elif need == "bsl" %}BSL{% else %}{{ p.other_language|default:"Another language" }}{% endif %}{% if not forloop.last %}, {% endif %}{% empty %}None{% endfor %}</span></td>
    </tr>
  {% endwith %}{% endfor %}"""
)


def _varied_links(wessex) -> list[PartnerLink]:
    people = [
        dict(full_name="<script>alert('x')</script>", preferred_name='Al & "Co"', email="a@example.com", phone="0123"),
        dict(full_name="Bea Brown", email="", phone="07700 900123", communication_needs=["large_print", "bsl"]),
        dict(full_name="Cal Cole", email="", phone="", communication_needs=["other_language"], other_language="Urdu"),
        dict(full_name="Dee Dean", communication_needs=["easy_read", "other_language"], is_assisted_digital=True),
    ]
    statuses = ["active", "paused", "left", "active"]
    for fields, status in zip(people, statuses, strict=True):
        PartnerLinkFactory(partner=LayPartnerFactory(**fields), organisation=wessex, status=status)
    return list(selectors.directory(organisation_id=wessex.pk))


def test_directory_rows_match_the_template_they_replace(wessex):
    links = _varied_links(wessex)
    drawn = str(directory_rows(links))
    assert drawn == TEMPLATE_ROWS.render(Context({"links": links}))
    assert "&lt;script&gt;" in drawn and "<script>" not in drawn
    assert "Known as Al &amp; &quot;Co&quot;" in drawn


def test_directory_rows_with_only_the_columns_the_page_reads(wessex):
    """directory_page reads only the columns a row shows; the rows come out the same."""
    links = _varied_links(wessex)
    page = selectors.directory_page(
        selectors.directory(organisation_id=wessex.pk), "1", per_page=50, count_with_rows=True
    )
    with CaptureQueriesContext(connection) as drawing:
        drawn = str(directory_rows(page.object_list))
    assert drawn == TEMPLATE_ROWS.render(Context({"links": links}))
    assert not drawing.captured_queries  # no deferred column is fetched row by row


@pytest.mark.parametrize("count_with_rows", [True, False])
@pytest.mark.parametrize("number", [None, "1", "2", "3", "4", "99", "0", "-1", "abc", "2.5", ""])
def test_directory_page_follows_get_page(wessex, number, count_with_rows):
    for i in range(7):
        PartnerLinkFactory(partner=LayPartnerFactory(full_name=f"Person {i:02d}"), organisation=wessex)
    links = selectors.directory(organisation_id=wessex.pk, q="person")
    expected = Paginator(links, 3).get_page(number)
    page = selectors.directory_page(links, number, per_page=3, count_with_rows=count_with_rows)
    assert page.number == expected.number
    assert page.paginator.count == expected.paginator.count == 7
    assert [link.pk for link in page] == [link.pk for link in expected]
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


def test_directory_page_with_no_match(wessex):
    page = selectors.directory_page(
        selectors.directory(organisation_id=wessex.pk, q="nobody"), "1", per_page=50, count_with_rows=True
    )
    assert page.paginator.count == 0 and list(page) == [] and page.number == 1


def test_name_search_counts_its_matches_with_the_rows(staff_client, wessex):
    for i in range(60):
        PartnerLinkFactory(partner=LayPartnerFactory(full_name=f"Searched {i:02d}"), organisation=wessex)
    with CaptureQueriesContext(connection) as plain:
        staff_client.get("/partners/")
    with CaptureQueriesContext(connection) as searched:
        response = staff_client.get("/partners/?q=searched")
    assert response.context["page_obj"].paginator.count == 60
    assert "60 lay partners match your search" in response.content.decode()
    assert len(searched.captured_queries) == len(plain.captured_queries) - 1
    assert not [q for q in searched.captured_queries if 'COUNT(*) AS "__count" FROM "partners_partnerlink"' in q["sql"]]


# templates/partners/_sections.html as it was before core.dashboard.sections_html.
TEMPLATE_SECTIONS = Template(
    """{% for section in sections %}
<section class="nhsuk-u-margin-bottom-6" aria-labelledby="{{ prefix|default:'section' }}-{{ forloop.counter }}">
  <h2 id="{{ prefix|default:'section' }}-{{ forloop.counter }}">{{ section.title }}</h2>
  {% if section.items %}
  <ul class="nhsuk-list nhsuk-list--border">
    {% for item in section.items %}
    <li>
      {% if item.url %}<a href="{{ item.url }}">{{ item.text }}</a>{% else %}{{ item.text }}{% endif %}
      {% if item.meta %}<span class="nhsuk-body-s nhsuk-u-secondary-text-color"> — {{ item.meta }}</span>{% endif %}
    </li>
    {% endfor %}
  </ul>
  {% else %}
  <p>{{ section.empty_text }}</p>
  {% endif %}
  {% if section.link_url %}<p><a href="{{ section.link_url }}">{{ section.link_text }}</a></p>{% endif %}
</section>
{% endfor %}
"""
)


def test_partner_page_sections_match_the_template_they_replace():
    sections = [
        DashboardSection(
            title="Coming <up>",
            items=[
                {"text": "<script>alert(1)</script>", "url": "/a/?x=1&y=2", "meta": "Friday & more"},
                {"text": "No link", "meta": ""},
                {"text": mark_safe("<b>already safe</b>"), "url": "/b/"},
            ],
            link_url="/all/",
            link_text="See <all>",
        ),
        DashboardSection(title="Nothing", empty_text="Nothing <here> yet."),
        DashboardSection(title="No link", items=[{"text": "One"}]),
    ]
    for prefix in ("home-section", "profile-section", "", "a<b"):
        context = {"sections": sections, "prefix": prefix}
        assert str(sections_html(sections, prefix)) + "\n" == TEMPLATE_SECTIONS.render(Context(context))
    rendered = Template('{% include "partners/_sections.html" with sections=sections prefix="p" %}').render(
        Context({"sections": sections})
    )
    assert rendered == TEMPLATE_SECTIONS.render(Context({"sections": sections, "prefix": "p"}))
    assert "&lt;script&gt;" in rendered and 'href="/a/?x=1&amp;y=2"' in rendered and "<b>already safe</b>" in rendered
    assert sections_html([], "p") == ""
