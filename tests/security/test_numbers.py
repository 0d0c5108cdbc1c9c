"""Unicode digits such as '²' are refused with a reason, never a 500 (finding 5).

`'²'.isdigit()` is True but `int('²')` raises: every number typed into a form or a query
string now goes through web.numbers.parse_int, which accepts ASCII digits only.
"""

from __future__ import annotations

import pytest

from web.numbers import parse_int

SUPERSCRIPT = "²"


@pytest.mark.parametrize("text", ["²", "١٢", "٣", "1²", "1e3", "0x10", "+-1", "1 2", "１２"])
def test_parse_int_refuses_anything_but_ascii_digits(text: str) -> None:
    from portal.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        parse_int(text, field="n")
    assert refused.value.errors == {"n": "not_an_integer"}


def test_parse_int_reads_plain_numbers_and_blank() -> None:
    assert parse_int(" 42 ", field="n") == 42
    assert parse_int("-7", field="n") == -7
    assert parse_int("", field="n") is None


def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (400, 422), (response.status_code, response.text[:300])


def test_rating_with_a_unicode_digit_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    number = world.ids["tracking_number"]
    response = world.a.client.post(
        f"/requests/{number}/rating", data={"csrf_token": world.a.csrf, "rating": SUPERSCRIPT}
    )
    _refused(response)


def test_deflection_ids_with_a_unicode_digit_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    response = world.a.client.post(
        "/requests/suggestions",
        data={"q": "南沙企业所得税", "deflection_id": SUPERSCRIPT, "csrf_token": world.a.csrf},
    )
    _refused(response)


@pytest.mark.parametrize("path", ["/staff/queue", "/staff/queue.csv"])
@pytest.mark.parametrize("name", ["assignee", "company"])
def test_staff_queue_filters_with_a_unicode_digit_are_refused(world, path, name) -> None:  # type: ignore[no-untyped-def]
    _refused(world.staff.client.get(path, params={name: SUPERSCRIPT}))


def test_assigning_to_a_unicode_digit_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    number = world.ids["tracking_number"]
    response = world.staff.client.post(
        f"/staff/requests/{number}/assign",
        data={"csrf_token": world.staff.csrf, "assignee_id": SUPERSCRIPT},
        follow_redirects=False,
    )
    _refused(response)


@pytest.mark.parametrize("name", ["turnaround_days", "position"])
def test_the_admin_service_form_refuses_a_unicode_digit(world, name) -> None:  # type: ignore[no-untyped-def]
    response = world.admin.client.post(
        "/admin/services/general_consultation",
        data={"csrf_token": world.admin.csrf, "active": "1", name: SUPERSCRIPT},
    )
    _refused(response)


def test_an_unanswered_group_named_by_a_unicode_digit_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    response = world.staff.client.post(
        f"/staff/unanswered/{SUPERSCRIPT}/dismiss",
        data={"csrf_token": world.staff.csrf},
        follow_redirects=False,
    )
    assert response.status_code in (400, 404, 422)
