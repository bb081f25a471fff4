"""Factories for payments tests. Partners, activities and participations are built directly so
these tests do not depend on the other apps' factories."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Organisation
from core.choices import PaymentPreference
from involvement.models import Activity, ActivityStatus, Participation
from partners.models import LayPartner, PartnerLink
from payments import services
from tests.accounts.factories import UserFactory
from tests.involvement.factories import ActivityFactory as InvolvementActivityFactory
from tests.partners.factories import LayPartnerFactory as PartnerFactory


def org(short_name: str = "Wessex") -> Organisation:
    return Organisation.objects.get(short_name=short_name)


class LayPartnerFactory(PartnerFactory):
    """The one lay partner factory (tests.partners.factories), wanting payment and with a login."""

    email = factory.Sequence(lambda n: f"partner{n}@example.org")
    phone = ""
    payment_preference = PaymentPreference.PAY
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


def partner_at(organisation: Organisation, **kwargs: Any) -> LayPartner:
    partner = LayPartnerFactory(**kwargs)
    PartnerLink.objects.create(partner=partner, organisation=organisation, joined_on=timezone.localdate())
    return partner


def assisted_partner_at(organisation: Organisation, **kwargs: Any) -> LayPartner:
    return partner_at(
        organisation, user=None, is_assisted_digital=True, contact_methods=["phone"], phone="07700 900123", **kwargs
    )


class ActivityFactory(InvolvementActivityFactory):
    """The one activity factory (tests.involvement.factories): a completed workshop with no programme."""

    organisation = factory.LazyFunction(org)
    programme = None
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3, hours=4))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    status = ActivityStatus.COMPLETED


def participation_for(
    partner: LayPartner, *, hours: str = "3", activity: Activity | None = None, **activity_kwargs: Any
) -> Participation:
    if activity is None:
        organisation = activity_kwargs.pop("organisation", None) or partner.links.first().organisation
        activity = ActivityFactory(organisation=organisation, **activity_kwargs)
    return Participation.objects.create(
        activity=activity, partner=partner, expected_hours=Decimal(hours), attended=True, hours=Decimal(hours)
    )


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\xff\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """A small real JPEG photo (receipt photos are opened to take their EXIF data out)."""

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def phone_photo(*, width: int = 40, height: int = 30) -> bytes:
    """A JPEG as a phone camera makes it: EXIF with the phone's make, the time, the place (GPS)
    and an orientation tag saying the picture is stored on its side."""

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:03:27 10:15:00"  # DateTime
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (50.0, 54.0, 30.0), "W", (1.0, 24.0, 15.0)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(
    name: str = "receipt.png", content: bytes | None = None, content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def big_upload(size: int) -> Any:
    """An upload that claims to be `size` bytes without holding them in memory."""

    class Huge(SimpleUploadedFile):
        pass

    file = Huge("photo.jpg", jpeg_bytes(), content_type="image/jpeg")
    file.size = size
    return file


def draft_claim(partner: LayPartner, organisation: Organisation) -> Any:
    """A draft claim the partner started themselves."""

    return services.claim_start(partner=partner, organisation=organisation, actor=partner.user)


def submitted_claim(partner: LayPartner, organisation: Organisation, participation: Participation) -> Any:
    """A claim with one involvement-payment line on `participation`, sent by the partner."""

    claim = draft_claim(partner, organisation)
    services.claim_add_fee_line(claim=claim, participation=participation, actor=partner.user)
    return services.claim_submit(claim=claim, actor=partner.user, declaration=True)
