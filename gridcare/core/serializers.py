"""Serializer helpers shared by the API apps."""

from __future__ import annotations

import copy

from rest_framework.serializers import BaseSerializer


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
