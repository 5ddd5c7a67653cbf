"""Bulk writes for the few places that load history in volume (the demo utility, history
imports): plain ``executemany`` INSERTs, values converted the way the backend expects.
Only an app's own services call this for its own tables (one writer per table)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from operator import attrgetter

from django.db import connection


def fast_insert(model, objs: list, *, with_pk: bool = False, batch: int = 2000) -> None:
    """INSERT many rows with plain ``executemany``: bulk_create's per-value machinery is
    most of the cost at this volume. Values are converted the way the backend expects."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    if connection.vendor == "sqlite":
        # What Django stores in SQLite: naive UTC text.
        def adapt_dt(v):
            return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    else:
        adapt_dt = connection.ops.adapt_datetimefield_value
    getter = attrgetter(*[f.attname for f in fields])
    converters = []
    for n, f in enumerate(fields):
        internal = f.get_internal_type()
        if internal == "DateTimeField":
            converters.append((n, adapt_dt))
        elif internal in ("JSONField", "DateField"):
            converters.append((n, lambda v, f=f: f.get_db_prep_save(v, connection)))
        elif f.choices:
            converters.append((n, lambda v: v.value if isinstance(v, Enum) else v))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            rows = []
            for obj in objs[start : start + batch]:
                row = list(getter(obj))
                for n, conv in converters:
                    if row[n] is not None:
                        row[n] = conv(row[n])
                rows.append(row)
            cursor.executemany(sql, rows)
