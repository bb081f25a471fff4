"""A lay partner's one-page record of involvement and learning, as a PDF (WeasyPrint, as reports)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from evidence.selectors import partner_record
from partners.models import LayPartner
from reports.rendering import render_pdf


def record_pdf(partner: LayPartner) -> bytes:
    html = render_to_string("evidence/partner_record.html", {**partner_record(partner), "today": timezone.localdate()})
    return render_pdf(html)


def record_file_name(partner: LayPartner) -> str:
    return f"involvement-record-{slugify(partner.full_name) or partner.reference}.pdf"
