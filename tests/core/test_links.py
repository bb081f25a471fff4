"""url_for_each gives each row the URL {% url %} would, from one reverse()."""

from __future__ import annotations

from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from core import links
from core.links import url_for_each


def test_each_row_gets_the_url_the_url_tag_prints() -> None:
    link = url_for_each("involvement:activity_detail")
    for pk in (1, 42, 987654):
        expected = Template("{% url 'involvement:activity_detail' pk %}").render(Context({"pk": pk}))
        assert link(pk) == expected == reverse("involvement:activity_detail", args=[pk])


def test_reverses_once_for_many_rows() -> None:
    links.forget()
    with mock.patch.object(links, "reverse", wraps=reverse) as reversing:
        link = url_for_each("involvement:activity_detail")
        [link(pk) for pk in range(1, 51)]
        url_for_each("involvement:activity_detail")(7)
    assert reversing.call_count == 1


def test_a_script_prefix_is_kept_apart() -> None:
    plain = reverse("involvement:activity_detail", args=[5])
    try:
        set_script_prefix("/portal/")
        assert url_for_each("involvement:activity_detail")(5) == "/portal" + plain
    finally:
        set_script_prefix("/")
    assert url_for_each("involvement:activity_detail")(5) == plain


def test_a_row_id_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        url_for_each("involvement:activity_detail")("1/../../admin")  # type: ignore[arg-type]
