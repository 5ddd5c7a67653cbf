"""Serializer helpers shared by the API apps."""

from __future__ import annotations

import copy

from rest_framework.serializers import BaseSerializer, CharField

from .limits import EXCERPT_LENGTH, excerpt


class CachedFieldsMixin:
    """Build a ModelSerializer's fields once per class, not once per instance.

    DRF introspects the model for every serializer instance it creates (a detail response
    makes four: the order, its clocks, timeline and children); for output serializers
    whose fields never depend on the request that work is the same every time.

    Each instance gets its own copies of the (never bound) prototypes, so binding stays per
    instance: a shallow copy for a plain field (binding only sets attributes on the copy;
    DRF's deep copy would rebuild the field and deep-copy its choices and lazy labels), a
    deep copy for a nested serializer, whose child is bound to its parent.
    """

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return {
            name: copy.deepcopy(field) if isinstance(field, BaseSerializer) else copy.copy(field)
            for name, field in prototypes.items()
        }


class ExcerptField(CharField):
    """A long text shortened for lists (``EXCERPT_LENGTH`` characters, "…" when cut); the
    detail shows it whole."""

    def __init__(self, length: int = EXCERPT_LENGTH, **kwargs):
        self.length = length
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "help_text",
            f"前 {length} 个字符（详情中为全文） / the first {length} characters (whole in the detail)",
        )
        super().__init__(**kwargs)

    def to_representation(self, value):
        return excerpt(value, self.length)
