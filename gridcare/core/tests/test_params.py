"""The bounded readers of user input (``core.params``) and the free-text caps (``core.limits``)."""

from __future__ import annotations

import datetime as dt

import pytest

from gridcare.core.errors import ApplicationError
from gridcare.core.limits import check_length, excerpt
from gridcare.core.params import (
    MAX_ID,
    clamp_datetime,
    date_param,
    float_param,
    id_list_param,
    id_param,
    int_param,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12", 12),
        (" 7 ", 7),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 30, None),
        ("0", None),
        ("-1", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("٣", None),  # Arabic-Indic three: int() would read it as 3
        ("１２", None),  # full-width digits
        ("1_000", None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_id_param_takes_ascii_digits_within_the_key_range(value, expected):
    assert id_param(value) == expected


def test_id_list_param_drops_what_is_no_id():
    assert id_list_param(["3", "²", "x", str(2**70), "4"]) == [3, 4]


def test_int_float_and_date_params_stay_in_bounds():
    assert int_param("99999999999999999999", 5, 1, 100) == 100
    assert int_param("²", 5, 1, 100) == 5
    assert float_param("1e999", 1.0, 0.0, 2.0) == 1.0  # infinite: the default
    assert float_param("nan", 1.0, 0.0, 2.0) == 1.0
    assert float_param("1e9", 1.0, 0.0, 2.0) == 2.0
    today = dt.date.today()
    assert date_param("9999-12-31", today) == today.replace(year=today.year + 10)
    assert date_param("0001-01-01", today) == dt.date(2000, 1, 1)
    assert date_param("2024-02-30", today) == today


def test_clamp_datetime_keeps_conversion_to_utc_in_range():
    low = clamp_datetime(dt.datetime(1, 1, 1, tzinfo=SHANGHAI))
    high = clamp_datetime(dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))))
    for value in (low, high):
        value.astimezone(dt.UTC)  # would raise OverflowError unclamped
    assert low.year == 1900 and high.year == 9998
    ordinary = dt.datetime(2024, 5, 1, 8, tzinfo=SHANGHAI)
    assert clamp_datetime(ordinary) is ordinary
    assert clamp_datetime(None) is None


def test_check_length_names_the_field():
    assert check_length("abc", field="note", max_length=3) == "abc"
    assert check_length(None, field="note", max_length=3) is None
    with pytest.raises(ApplicationError) as exc:
        check_length("abcd", field="note", max_length=3)
    assert exc.value.field == "note" and exc.value.code == "max_length" and exc.value.status == 400
    assert exc.value.details == {"max_length": 3, "length": 4}
    assert exc.value.as_dict()["errors"]["note"]


def test_excerpt():
    assert excerpt("短") == "短"
    assert excerpt(None) == ""
    long = "停电" * 100
    assert excerpt(long) == long[:119] + "…" and len(excerpt(long)) == 120


def test_form_date_refuses_unreadable_and_far_dates_naming_the_field():
    import datetime as dt

    import pytest

    from gridcare.core.errors import ApplicationError
    from gridcare.core.params import form_date

    assert form_date(" 2026-10-08 ", "due_date") == dt.date(2026, 10, 8)
    assert form_date("", "due_date") is None
    for bad in ("2026-13-01", "9999-12-31", "１２３"):
        with pytest.raises(ApplicationError) as exc:
            form_date(bad, "due_date")
        assert exc.value.field == "due_date"
