"""Typed amounts of money and miles are read exactly as typed, or refused with what to type."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.money import AmountError, parse_miles, parse_money
from payments import services
from tests.conftest import client_for
from tests.payments.factories import partner_at

# The accepted grammar, written out again independently of core.money: optional spaces, an
# optional minus, an optional pound sign, whole pounds (plain, or with commas between every three
# digits), then an optional point and digits.
SPACE = "[ \t\r\n\u00a0]*"
ACCEPTED = re.compile(SPACE + r"-?£?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?" + SPACE)

amounts = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99999999.99"), places=2)


def _with_commas(whole: int) -> str:
    return f"{whole:,}"


@st.composite
def typed_ways(draw: st.DrawFn) -> tuple[Decimal, str]:
    """One amount, written the way a person might type it."""
    amount = draw(amounts)
    whole, pence = divmod(int(amount * 100), 100)
    pounds = draw(st.sampled_from([str(whole), _with_commas(whole)]))
    if pence == 0:
        fraction = draw(st.sampled_from(["", ".0", ".00"]))
    elif pence % 10 == 0:
        fraction = draw(st.sampled_from([f".{pence // 10}", f".{pence:02d}"]))
    else:
        fraction = f".{pence:02d}"
    sign = draw(st.sampled_from(["", "£"]))
    before = draw(st.sampled_from(["", " ", "  "]))
    after = draw(st.sampled_from(["", " ", "\t"]))
    return amount, f"{before}{sign}{pounds}{fraction}{after}"


@settings(deadline=None)  # no timings in tests: a loaded machine must not fail them
@given(typed_ways())
@example((Decimal("1250.00"), "1,250.00"))
@example((Decimal("12.50"), "£12.50"))
@example((Decimal("12"), "12"))
def test_any_plain_amount_reads_back_as_the_same_money(case: tuple[Decimal, str]) -> None:
    amount, typed = case
    assert parse_money(typed) == amount


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=20))
@example("2,50")
@example("12,50")
@example("1e2")
@example("1E2")
@example("1_000")
@example("NaN")
@example("Infinity")
@example("١٢")  # Arabic-Indic digits: Decimal() reads them as 12
@example("\uff11\uff12")  # full-width digits
@example("12.")
@example(".50")
@example("1,2500")
@example("12,500.5,0")
@example("£-5")
@example("+5")
@example("0x10")
@example("\x1c12")  # str.strip() would remove this control character; the grammar does not
@example("\u00a012.50")  # a non-breaking space from a copy and paste is fine
def test_random_text_gives_a_value_only_when_it_matches_the_grammar(text: str) -> None:
    try:
        value = parse_money(text)
    except AmountError as exc:
        assert "like" in str(exc) or "no more than 2 numbers after the point" in str(exc)
        return
    assert ACCEPTED.fullmatch(text), f"{text!r} was read as {value}"
    assert value == Decimal(text.strip(" \t\r\n\u00a0").replace("£", "").replace(",", ""))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2,50", "must have a full stop between pounds and pence, like 2.50"),
        ("12,50", "must have a full stop between pounds and pence, like 2.50"),
        ("1e2", "must be an amount of money, like 12.50 or £1,250.00"),
        ("1_000", "must be an amount of money, like 12.50 or £1,250.00"),
        ("1,2500", "must be an amount of money, like 12.50 or £1,250.00"),
        ("12.345", "no more than 2 numbers after the point"),
    ],
)
def test_amounts_that_used_to_be_misread_are_refused_with_what_to_type(typed: str, message: str) -> None:
    with pytest.raises(AmountError, match=re.escape(message)):
        parse_money(typed)


@settings(deadline=None)
@given(st.decimals(min_value=Decimal("0.0"), max_value=Decimal("9999.9"), places=1), st.booleans())
def test_any_plain_distance_reads_back_as_the_same_miles(miles: Decimal, commas: bool) -> None:
    whole, tenth = divmod(int(miles * 10), 10)
    typed = f"{whole:,}" if commas else str(whole)
    if tenth:
        typed += f".{tenth}"
    assert parse_miles(f" {typed} ") == miles


@settings(deadline=None)
@given(st.text(max_size=12))
@example("2,5")
@example("1e2")
@example("1_000")
@example("£12")
def test_random_text_gives_miles_only_when_it_matches_the_grammar(text: str) -> None:
    try:
        value = parse_miles(text)
    except AmountError as exc:
        assert "like 12.5" in str(exc)
        return
    assert ACCEPTED.fullmatch(text) and "£" not in text, f"{text!r} was read as {value} miles"
    assert value == Decimal(text.strip(" \t\r\n\u00a0").replace(",", ""))


def test_a_comma_for_a_point_in_miles_is_refused_with_what_to_type() -> None:
    with pytest.raises(AmountError, match=r"full stop before any part of a mile, like 12\.5"):
        parse_miles("2,5")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2,50", "The amount must have a full stop between pounds and pence, like 2.50"),
        ("1e2", "The amount must be an amount of money, like 12.50 or £1,250.00"),
        ("1_000", "The amount must be an amount of money, like 12.50 or £1,250.00"),
    ],
)
def test_the_expense_form_refuses_a_misreadable_amount_and_keeps_what_was_typed(wessex, typed, message):
    partner = partner_at(wessex, full_name="Alex Partner")
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    response = client_for(partner.user).post(
        f"/payments/claims/{claim.pk}/expenses/new/parking/",
        {"expense_date": timezone.localdate().isoformat(), "amount": typed, "description": "Hospital car park"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert message in text.replace("&#x27;", "'") and f'value="{typed}"' in text
    assert claim.lines.count() == 0


@pytest.mark.django_db
def test_the_expense_form_takes_an_amount_with_a_pound_sign_and_reads_thousands(wessex):
    partner = partner_at(wessex, full_name="Alex Partner")
    claim = services.claim_start(partner=partner, organisation=wessex, actor=partner.user)
    client = client_for(partner.user)
    url = f"/payments/claims/{claim.pk}/expenses/new/parking/"
    today = timezone.localdate().isoformat()
    # £1,250.00 is read as one thousand two hundred and fifty pounds: over the parking cap.
    refused = client.post(url, {"expense_date": today, "amount": "£1,250.00"}).content.decode()
    assert "Parking can be up to £30.00 on one line" in refused
    response = client.post(url, {"expense_date": today, "amount": " £12.50 "})
    assert response.status_code == 302
    assert [line.amount for line in claim.lines.all()] == [Decimal("12.50")]
