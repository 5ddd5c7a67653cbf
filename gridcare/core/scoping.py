"""Scoping declared once per model: ``Model.objects.visible_to(user)`` and ``is_visible(user, obj)``.

A model says *how* its rows belong to the organisation with one class attribute::

    class WorkOrder(BaseModel):
        scope = PathScope("unit_path", "accepted_path")
        objects = ScopedQuerySet.as_manager()

and every list, detail, export, report, dashboard and action reads through
``visible_to(user)`` (a queryset filter) or ``is_visible(user, obj)`` (the same rule on one
loaded object), so the two can never disagree. (NetBox's restricted querysets are the model.)

A user's reach is their unit's materialised path (``/JS/YZ/YZ01/``): they see rows whose
path starts with it. The organisation app registers how to read a user's path and visible
supply stations (``configure``); core knows nothing about units.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

_resolvers: dict[str, Callable] = {}
# Every concrete column that holds a copy of an organisation path: (model, field name).
# ``org_unit_move`` rewrites them all when a unit moves.
PATH_COLUMNS: list[tuple[type[models.Model], str]] = []


def configure(*, scope_path_of: Callable, station_ids_of: Callable) -> None:
    """``scope_path_of(user)``: '' for everything, None for nothing, else a unit path prefix.
    ``station_ids_of(user)``: None for every station, else the visible station ids."""
    _resolvers["path"] = scope_path_of
    _resolvers["stations"] = station_ids_of


def scope_path(user) -> str | None:
    try:
        return _resolvers["path"](user)
    except KeyError:  # pragma: no cover - configured at start-up
        raise ImproperlyConfigured("scoping is not configured") from None


def visible_station_ids(user) -> list[int] | None:
    return _resolvers["stations"](user)


def register_path_column(model: type[models.Model], field: str) -> None:
    if (model, field) not in PATH_COLUMNS:
        PATH_COLUMNS.append((model, field))


def _attr(obj, lookup: str):
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


class Scope:
    """How a model's rows belong to the organisation. Subclasses give the queryset filter
    and the same rule on one object."""

    model: type[models.Model] | None = None

    def contribute_to_class(self, cls, name):
        self.model = cls
        setattr(cls, name, self)
        if not cls._meta.abstract:
            self.register(cls)

    def register(self, cls) -> None:
        pass

    def filter(self, qs: models.QuerySet, user) -> models.QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError

    def contains(self, user, obj) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


class PathScope(Scope):
    """Visible when any of ``fields`` (a path column, or a lookup such as ``station__path``)
    starts with the user's path. ``everyone_when_blank``: a row whose first field is empty
    belongs to the whole company and is visible to every user with some scope (company-wide
    published reports). ``top_when_blank``: such a row is visible only to users whose scope
    is the top of the tree (a one-unit path such as ``/JS/``: company-wide audit events)."""

    def __init__(self, *fields: str, everyone_when_blank: bool = False, top_when_blank: bool = False):
        if not fields:
            raise ValueError("PathScope needs at least one field")
        self.fields = fields
        self.everyone_when_blank = everyone_when_blank
        self.top_when_blank = top_when_blank

    def _blank_visible(self, path: str) -> bool:
        return self.everyone_when_blank or (self.top_when_blank and path.strip("/").count("/") == 0)

    def register(self, cls) -> None:
        for f in self.fields:
            if "__" not in f:
                register_path_column(cls, f)

    def q(self, path: str) -> Q:
        cond = Q()
        for f in self.fields:
            cond |= Q(**{f"{f}__startswith": path})
        if self._blank_visible(path):
            cond |= Q(**{self.fields[0]: ""})
        return cond

    def filter(self, qs, user):
        path = scope_path(user)
        if path is None:
            return qs.none()
        if path == "":
            return qs
        return qs.filter(self.q(path))

    def contains(self, user, obj) -> bool:
        path = scope_path(user)
        if path is None:
            return False
        if path == "":
            return True
        values = [_attr(obj, f) for f in self.fields]
        if values[0] == "" and self._blank_visible(path):
            return True
        return any(isinstance(v, str) and v.startswith(path) for v in values)


class StationScope(Scope):
    """Visible when the row's supply station is one the user may see. The visible stations
    are resolved to a short id list first, so searches over millions of rows (customers)
    are planned on their own indexes with the scope as a cheap filter."""

    def __init__(self, field: str = "station_id"):
        self.field = field

    def filter(self, qs, user):
        if scope_path(user) is None:
            return qs.none()
        ids = visible_station_ids(user)
        if ids is None:
            return qs
        return qs.filter(**{f"{self.field}__in": ids})

    def contains(self, user, obj) -> bool:
        if scope_path(user) is None:
            return False
        ids = visible_station_ids(user)
        return ids is None or _attr(obj, self.field) in ids


class ThroughScope(Scope):
    """Visible when at least one related scoped row points at it (a feeder is visible when
    one of its transformer areas is). ``related``: "app_label.Model"; ``fk``: that model's
    field pointing here."""

    def __init__(self, related: str, fk: str):
        self.related = related
        self.fk = fk

    def _related_model(self):
        from django.apps import apps

        return apps.get_model(self.related)

    def filter(self, qs, user):
        path = scope_path(user)
        if path is None:
            return qs.none()
        if path == "":
            return qs
        inner = self._related_model().objects.visible_to(user).filter(**{self.fk: models.OuterRef("pk")})
        return qs.filter(models.Exists(inner))

    def contains(self, user, obj) -> bool:
        path = scope_path(user)
        if path is None:
            return False
        return (
            path == "" or self._related_model().objects.visible_to(user).filter(**{self.fk: obj.pk}).exists()
        )


class OwnerScope(Scope):
    """Personal rows (a user's notifications): visible to their owner only."""

    def __init__(self, field: str):
        self.field = field

    def filter(self, qs, user):
        if user is None or not getattr(user, "is_authenticated", False):
            return qs.none()
        return qs.filter(**{self.field: user})

    def contains(self, user, obj) -> bool:
        return (
            user is not None
            and getattr(user, "is_authenticated", False)
            and getattr(obj, f"{self.field}_id", None) == user.pk
        )


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        """The rows ``user`` may see (the model's ``scope``)."""
        scope = getattr(self.model, "scope", None)
        if not isinstance(scope, Scope):
            raise ImproperlyConfigured(f"{self.model.__name__} declares no scope")
        return scope.filter(self, user)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def is_visible(user, obj) -> bool:
    """The model's scope rule applied to one loaded object."""
    scope = getattr(type(obj), "scope", None)
    if not isinstance(scope, Scope):
        raise ImproperlyConfigured(f"{type(obj).__name__} declares no scope")
    return scope.contains(user, obj)
