"""Serializer helpers shared by the API apps."""

from __future__ import annotations

import copy


class CachedFieldsMixin:
    """Build a ModelSerializer's fields once per class, not once per instance.

    DRF introspects the model for every serializer instance it creates (a detail response
    makes four: the order, its clocks, timeline and children); for output serializers
    whose fields never depend on the request that work is the same every time. Each
    instance gets its own deep copy of the prototypes, so binding stays per instance.
    """

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return copy.deepcopy(prototypes)
