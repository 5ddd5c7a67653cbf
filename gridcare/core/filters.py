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
