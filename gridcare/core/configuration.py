"""Configuration edited in GridCare's own pages (设置): the tables that steer the product —
the working-day calendar, time limits, warning levels, authority limits, callback and
notification rules, process settings.

The app that owns a table registers it here (``register_config``) with the fields people
edit; ``config_save`` / ``config_delete`` are the one writer path for those registered
tables on the owner's behalf: they check ``core.configure``, validate (``full_clean``,
database constraints), refuse a stale form (someone saved the row since it was opened) and
audit every change field by field. The owner's caches follow its model signals as with any
save.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .audit import audit_record, diff, snapshot
from .authz import require
from .errors import ApplicationError, ConflictError


@dataclass(frozen=True)
class ConfigSection:
    key: str  # URL slug: "commitments"
    model: type[models.Model]
    fields: tuple[str, ...]  # editable, in form order
    columns: tuple[str, ...] = ()  # list columns (default: the fields)
    label: object = ""  # translated title; default: the model's verbose_name_plural
    help: object = ""
    order: int = 100
    can_add: bool = True
    can_delete: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def title(self):
        return self.label or self.model._meta.verbose_name_plural

    @property
    def list_columns(self) -> tuple[str, ...]:
        return self.columns or self.fields


CONFIG_SECTIONS: dict[str, ConfigSection] = {}


def register_config(section: ConfigSection) -> None:
    CONFIG_SECTIONS[section.key] = section


def sections() -> list[ConfigSection]:
    return sorted(CONFIG_SECTIONS.values(), key=lambda s: (s.order, s.key))


def section(key: str) -> ConfigSection | None:
    return CONFIG_SECTIONS.get(key)


def row_stamp(instance: models.Model, fields) -> str:
    """A fingerprint of the row's editable values: a form carries the one it was opened with."""
    values = json.dumps(snapshot(instance, fields), sort_keys=True, default=str)
    return hashlib.sha1(values.encode()).hexdigest()[:16]


def config_save(
    *, actor, section: ConfigSection, instance: models.Model, data: dict, stamp: str = ""
) -> models.Model:
    """Create or change one configuration row: validated, not over someone else's change, audited."""
    require(actor, "core.configure")
    fields = list(section.fields)
    model = section.model
    with transaction.atomic():
        if instance.pk:
            current = model._default_manager.select_for_update().get(pk=instance.pk)
            if stamp and stamp != row_stamp(current, fields):
                raise ConflictError(_("这条配置已被他人修改，请刷新后再改"), field="stamp")
            before = snapshot(current, fields)
        else:
            if not section.can_add:
                raise ApplicationError(_("此项配置不能新增"), code="not_allowed")
            current, before = model(), {}
        for name, value in data.items():
            if name in fields:
                setattr(current, name, value)
        try:
            current.full_clean()
            with transaction.atomic():
                current.save()
        except ValidationError as exc:
            name, messages = (
                next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else (None, exc.messages)
            )
            raise ApplicationError("; ".join(messages), field=name if name in fields else None) from None
        except IntegrityError:
            raise ApplicationError(_("与已有配置重复或超出允许范围"), code="integrity") from None
        audit_record(
            actor=actor,
            action=f"{model._meta.model_name}.{'update' if before else 'create'}",
            obj=current,
            changes=diff(before, snapshot(current, fields)),
            note="settings",
        )
    return current


def config_delete(*, actor, section: ConfigSection, instance: models.Model) -> None:
    require(actor, "core.configure")
    if not section.can_delete:
        raise ApplicationError(_("此项配置不能删除"), code="not_allowed")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"{section.model._meta.model_name}.delete",
            obj=instance,
            changes=snapshot(instance, section.fields),
            note="settings",
        )
        try:
            with transaction.atomic():
                instance.delete()
        except models.ProtectedError:
            raise ApplicationError(_("仍在使用中，不能删除"), code="protected") from None
