"""Writing audit events (services call these; nothing else writes AuditEvent), and reading
them in words: THE table of what each action code, field and value means (each app
registers its own vocabulary at start-up with ``register_audit_labels``)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


def _plain(value):
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """Current values of ``fields`` (foreign keys by id) for a later ``diff``."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(before: dict, after: dict) -> dict:
    """Field-level ``{field: [old, new]}`` for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    note: str = "",
    unit_path: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        note=note,
        unit_path=unit_path,
    )


def audit_events_for(obj: models.Model):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor"
    )


# ------------------------------------------------------------------ reading events in words


@dataclass
class _Namespace:
    """The vocabulary of the actions whose code starts with one prefix (``work_order.``)."""

    actions: dict[str, object] = field(default_factory=dict)  # full code -> label
    fields: dict[str, object] = field(default_factory=dict)  # change key -> label
    values: dict[str, dict] = field(default_factory=dict)  # change key -> {stored value: label}
    lists: set[str] = field(default_factory=set)  # keys holding a list of items, never [old, new]
    group: object = ""  # what the actions are about, in words ("工单")


_NAMESPACES: dict[str, _Namespace] = {}
_OBJECTS: dict[str, object] = {}  # object_type ("workorders.workorder") -> label
_ADMIN_ACTION = re.compile(r"^\w+\.admin_(create|update|delete)$")
_ADMIN_LABELS = {"create": _("后台新增"), "update": _("后台修改"), "delete": _("后台删除")}


def register_audit_labels(
    prefix: str,
    *,
    actions: Mapping[str, object] | None = None,
    fields: Mapping[str, object] | None = None,
    values: Mapping[str, Mapping] | None = None,
    lists: Iterable[str] = (),
    objects: Mapping[str, object] | None = None,
    group: object = "",
) -> None:
    """An app says, once, what its audit rows mean.

    ``prefix`` is the start of its action codes (``"work_order."``); ``actions`` maps the
    rest of each code to a label (``{"dispatch": _("派单")}``); ``fields`` labels the keys
    of ``changes``; ``values`` labels stored codes per key (``{"status": dict(Status.choices)}``, or ``"*"``
    for every key without its own);
    ``lists`` names keys whose value is a plain list (``[3, 5]`` attendees), which must not be
    read as ``[old, new]``; ``objects`` labels object types (``{"workorders.workorder": _("工单")}``);
    ``group`` names the prefix in the audit log's action filter.
    """
    ns = _NAMESPACES.setdefault(prefix, _Namespace())
    ns.group = group or ns.group
    ns.actions.update({prefix + k: v for k, v in (actions or {}).items()})
    ns.fields.update(fields or {})
    for key, table in (values or {}).items():
        ns.values.setdefault(key, {}).update(table)
    ns.lists.update(lists)
    _OBJECTS.update(objects or {})


def _namespace(action: str) -> _Namespace | None:
    best = max((p for p in _NAMESPACES if action.startswith(p)), key=len, default=None)
    return _NAMESPACES[best] if best is not None else None


def audit_object_label(object_type: str) -> str:
    """``workorders.workorder`` in words (the registered label, else the model's verbose name)."""
    if object_type in _OBJECTS:
        return str(_OBJECTS[object_type])
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def audit_action_label(action: str, object_type: str = "") -> str:
    """An action code in words: the registered label; the admin's own edits by kind and
    object (``后台修改 · 预警级别``); the code itself when nobody registered it."""
    ns = _namespace(action)
    if ns is not None and action in ns.actions:
        return str(ns.actions[action])
    admin = _ADMIN_ACTION.match(action)
    if admin:
        label = str(_ADMIN_LABELS[admin.group(1)])
        return f"{label} · {audit_object_label(object_type)}" if object_type else label
    return action


def audit_action_choices() -> list[tuple[str, str]]:
    """Every registered action code with its label, in code order."""
    out = [(code, str(label)) for ns in _NAMESPACES.values() for code, label in ns.actions.items()]
    return sorted(out)


def audit_action_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The audit log's action filter: per prefix (``work_order.``, which selects them all)
    its name and its actions, each ``(code, label)``."""
    out = []
    for prefix in sorted(_NAMESPACES):
        ns = _NAMESPACES[prefix]
        if ns.actions:
            actions = sorted(((c, str(v)) for c, v in ns.actions.items()), key=lambda cv: cv[0])
            out.append((prefix, str(ns.group or prefix), actions))
    return out


def audit_object_choices() -> list[tuple[str, str]]:
    return sorted((k, str(v)) for k, v in _OBJECTS.items())


@dataclass(frozen=True)
class ChangeRow:
    """One line of an audit row's changes: ``field: old → new`` (``pair``) or ``field: value``."""

    field: str
    pair: bool
    old: str = ""
    new: str = ""
    value: str = ""


def _word(value, labels: Mapping | None) -> str:
    if value is None or value == "":
        label = labels.get(value) if labels else None
        return "—" if label is None else str(label)
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if labels and isinstance(value, (str, int, float)):
        label = labels.get(value)
        if label is None and not isinstance(value, str):
            label = labels.get(str(value))
        if label is not None:
            return str(label)
    if isinstance(value, dict):
        return "，".join(f"{k}: {_word(v, None)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(_word(v, labels) for v in value) or "—"
    return str(value)


def audit_change_rows(action: str, changes) -> list[ChangeRow]:
    """The changes of one audit row, each shape rendered as what it is.

    ``{"status": ["replied", "callback"]}`` is a change (old → new); a plain value
    (``{"clock": "arrival"}``), a list of items (``{"clocks": ["arrival", "restoration"]}``,
    registered in ``lists``) or a mapping (``{"trained_on": {...}}``) is shown as a value.
    Keys, and stored codes, are in words where the app registered them.
    """
    if not isinstance(changes, dict):
        return [ChangeRow(field="", pair=False, value=_word(changes, None))] if changes else []
    ns = _namespace(action) or _Namespace()
    rows = []
    for key, value in changes.items():
        label = str(ns.fields.get(key, key))
        labels = ns.values.get(key) or ns.values.get("*")
        if isinstance(value, (list, tuple)) and len(value) == 2 and key not in ns.lists:
            rows.append(
                ChangeRow(field=label, pair=True, old=_word(value[0], labels), new=_word(value[1], labels))
            )
        else:
            rows.append(ChangeRow(field=label, pair=False, value=_word(value, labels)))
    return rows


# Core's own rows: the working-day calendar (its per-day keys are dates).
register_audit_labels(
    "calendar.",
    group=_("工作日历"),
    actions={"year_replace": _("导入全年节假日安排")},
    fields={"confirmed": _("已确认全年安排")},
    values={"*": {"holiday": _("节假日"), "workday": _("调休上班")}},
    objects={"core.calendaryear": _("工作日历年份"), "core.calendarday": _("节假日/调休日")},
)
