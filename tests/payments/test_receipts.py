"""Receipts: photos lose their hidden data, downloads have a readable name, a missing file gets a
clear page, and files are kept only as long as the financial record needs them."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from PIL import Image, PngImagePlugin

from core.models import AuditEntry
from payments import services
from payments.models import Claim, ClaimStatus, Receipt
from payments.tasks import delete_expired_receipts
from tests.conftest import client_for
from tests.payments.factories import draft_claim, pdf_bytes, phone_photo, upload

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _line(partner, wessex):
    claim = draft_claim(partner, wessex)
    return services.claim_add_expense_line(
        claim=claim, actor=partner.user, category="taxi", amount="9", reason="Rain", expense_date=timezone.localdate()
    )


def _stored(receipt: Receipt) -> bytes:
    with receipt.file.open("rb") as handle:
        return handle.read()


def test_a_phone_photo_is_stored_without_its_location_or_other_exif_data(partner, wessex):
    original = phone_photo(width=40, height=30)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the photo says where it was taken
    receipt = services.receipt_add(
        line=_line(partner, wessex), uploaded=upload("IMG_2041.JPG", original, "image/jpeg"), actor=partner.user
    )
    stored = _stored(receipt)
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert picture.size == (30, 40)  # turned the right way up before the orientation tag went
    assert (receipt.size, receipt.content_type) == (len(stored), "image/jpeg")

    assert receipt.sha256 == hashlib.sha256(stored).hexdigest()


def test_a_png_screenshot_loses_its_text_and_exif_chunks(partner, wessex):
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "51 Church Lane, Romsey")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, "PNG", pnginfo=info, exif=exif)
    receipt = services.receipt_add(
        line=_line(partner, wessex),
        uploaded=upload("Screenshot.png", buffer.getvalue(), "image/png"),
        actor=partner.user,
    )
    stored = _stored(receipt)
    assert b"Church Lane" not in stored and b"PhoneMaker" not in stored
    assert Image.open(io.BytesIO(stored)).size == (20, 10)


def test_a_photo_that_cannot_be_opened_is_refused_with_what_to_do(partner, wessex):
    broken = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
    line = _line(partner, wessex)
    with pytest.raises(services.ClaimError, match="This photo could not be opened"):
        services.receipt_add(line=line, uploaded=upload("IMG_1.JPG", broken, "image/jpeg"), actor=partner.user)
    assert not line.receipts.exists()


def test_the_expense_page_puts_an_unopenable_photo_error_by_the_receipt_box(partner, wessex):
    claim = draft_claim(partner, wessex)
    broken = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
    response = client_for(partner.user).post(
        f"/payments/claims/{claim.pk}/expenses/new/taxi/",
        {
            "expense_date": timezone.localdate().isoformat(),
            "amount": "9.00",
            "reason": "Rain",
            "receipt": upload("IMG_1.JPG", broken, "image/jpeg"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["receipt"][0].startswith("This photo could not be opened")
    assert not claim.lines.exists()  # the line and its receipt are saved together or not at all


def test_receipts_download_named_after_the_claim_with_the_right_extension(partner, wessex):
    line = _line(partner, wessex)
    photo = services.receipt_add(
        line=line, uploaded=upload("IMG_2041.JPG", phone_photo(), "image/jpeg"), actor=partner.user
    )
    pdf = services.receipt_add(line=line, uploaded=upload("scan", pdf_bytes(), "application/pdf"), actor=partner.user)
    client = client_for(partner.user)
    reference = line.claim.reference
    first = client.get(f"/payments/receipts/{photo.pk}/")
    assert first["Content-Disposition"] == f'attachment; filename="{reference}-receipt-1.jpg"'
    assert first["Content-Type"] == "image/jpeg"
    second = client.get(f"/payments/receipts/{pdf.pk}/")
    assert second["Content-Disposition"] == f'attachment; filename="{reference}-receipt-2.pdf"'


def test_a_receipt_whose_file_is_missing_gets_a_clear_page_not_an_error(partner, wessex, lead):
    line = _line(partner, wessex)
    receipt = services.receipt_add(line=line, uploaded=upload(), actor=partner.user)
    receipt.file.storage.delete(receipt.file.name)
    response = client_for(partner.user).get(f"/payments/receipts/{receipt.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>We cannot find this receipt</h1>" in page
    assert "receipt.png" in page and "add the receipt again" in page
    assert 'class="nhsuk-back-link' in page
    # Someone who cannot change the claim is told whom to ask.
    services.claim_submit(claim=line.claim, actor=partner.user, declaration=True)
    page = client_for(lead).get(f"/payments/receipts/{receipt.pk}/").content.decode()
    assert f"give them the claim number, {line.claim.reference}" in page


# --- Keeping receipts only as long as the financial record needs them -----------------------------


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LONDON)


def _receipt_on(partner, wessex, *, status: str, paid: date | None = None, sent: date | None = None) -> Receipt:
    line = _line(partner, wessex)
    receipt = services.receipt_add(line=line, uploaded=upload(), actor=partner.user)
    Claim.objects.filter(pk=line.claim_id).update(
        status=status,
        paid_at=_at(paid) if paid else None,
        first_submitted_at=_at(sent) if sent else None,
        updated_at=_at(paid or sent or timezone.localdate()),
    )
    return receipt


def test_receipt_files_go_six_years_after_the_end_of_the_tax_year_of_payment(partner, wessex):
    # Paid 1 May 2020: tax year 6 April 2020 to 5 April 2021, kept until 5 April 2027.
    paid_2020 = _receipt_on(partner, wessex, status=ClaimStatus.PAID, paid=date(2020, 5, 1), sent=date(2020, 4, 20))
    # Paid 5 April 2021: still tax year 2020/21, same date.
    paid_last_day = _receipt_on(partner, wessex, status=ClaimStatus.PAID, paid=date(2021, 4, 5), sent=date(2021, 4, 1))
    # Paid 6 April 2021: tax year 2021/22, kept a year longer.
    paid_2021 = _receipt_on(partner, wessex, status=ClaimStatus.PAID, paid=date(2021, 4, 6), sent=date(2021, 4, 1))
    rejected_2020 = _receipt_on(partner, wessex, status=ClaimStatus.REJECTED, sent=date(2020, 6, 1))
    never_sent = _receipt_on(partner, wessex, status=ClaimStatus.WITHDRAWN)
    in_progress = _receipt_on(partner, wessex, status=ClaimStatus.DRAFT)
    files = {r.pk: r.file.name for r in Receipt.objects.all()}

    with time_machine.travel(_at(date(2027, 4, 5)), tick=False):
        assert delete_expired_receipts() == 1
    assert set(Receipt.objects.filter(file="").values_list("pk", flat=True)) == {never_sent.pk}

    with time_machine.travel(_at(date(2027, 4, 6)), tick=False):
        assert delete_expired_receipts() == 3
        assert delete_expired_receipts() == 0  # running it again does nothing more
    gone = {paid_2020.pk, paid_last_day.pk, rejected_2020.pk, never_sent.pk}
    assert set(Receipt.objects.filter(file="").values_list("pk", flat=True)) == gone
    storage = paid_2021.file.storage
    for pk, name in files.items():
        assert storage.exists(name) is (pk not in gone)
    assert Receipt.objects.get(pk=paid_2020.pk).original_name == "receipt.png"  # the record of it stays
    entries = AuditEntry.objects.filter(action="payments.receipt.file_deleted")
    assert sorted(e.data["receipt"] for e in entries) == sorted(gone)
    assert all(e.actor is None and e.organisation == wessex for e in entries)
    assert in_progress.pk not in gone and paid_2021.pk not in gone

    with time_machine.travel(_at(date(2028, 4, 6)), tick=False):
        assert delete_expired_receipts() == 1
    assert not storage.exists(files[paid_2021.pk])


def test_a_deleted_receipt_file_says_why(partner, wessex):
    receipt = _receipt_on(partner, wessex, status=ClaimStatus.PAID, paid=date(2019, 5, 1), sent=date(2019, 4, 20))
    services.receipt_files_delete_expired(today=date(2026, 12, 1))
    response = client_for(partner.user).get(f"/payments/receipts/{receipt.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>This receipt has been deleted</h1>" in page
    assert "six years after the end of the tax year" in page


def test_beat_deletes_expired_receipts_every_night():
    task = PeriodicTask.objects.select_related("crontab").get(task="payments.tasks.delete_expired_receipts")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("3", "30", "Europe/London")
