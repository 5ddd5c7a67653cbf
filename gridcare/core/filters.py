"""Filter fields shared by the FilterSets of every app (UI lists and API alike)."""

from __future__ import annotations

import django_filters
from django import forms

from .params import clamp_datetime


class BoundedDateTimeField(forms.DateTimeField):
    """A datetime within ``DATETIME_YEARS``: ``?created_after=0001-01-01`` filters like
    1900-01-01 instead of failing when converted to UTC (a 500)."""

    def to_python(self, value):
        return clamp_datetime(super().to_python(value))


class BoundedDateTimeFilter(django_filters.DateTimeFilter):
    field_class = BoundedDateTimeField


ID_MAX = 2**63 - 1  # the largest id either database stores


class IdField(forms.IntegerField):
    """A row id: a whole number 1 … 2⁶³−1 (``?hall=6e47`` is a 400 naming the field, not an
    integer overflow in the database)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField
