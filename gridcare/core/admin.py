from django.contrib import admin, messages
from django.utils.translation import gettext as _

from .audit import audit_record, diff, snapshot
from .calendar import calendar_warning
from .models import AuditEvent, CalendarDay, CalendarYear

admin.site.site_header = "GridCare 配置管理"
admin.site.site_title = "GridCare"
# The admin's start page warns when next year's holidays are due (core/admin_index.html).
admin.site.index_template = "core/admin_index.html"


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits of configuration are audited field by field like every service."""

    audited_fields: list[str] = []

    def save_model(self, request, obj, form, change):
        fields = self.audited_fields or [f.name for f in obj._meta.concrete_fields if f.name != "id"]
        before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        changes = diff(before, snapshot(obj, fields))
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.admin_{'update' if change else 'create'}",
            obj=obj,
            changes=changes,
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=f"{obj._meta.model_name}.admin_delete", obj=obj)
        super().delete_model(request, obj)


def calendar_warning_text() -> str | None:
    """What the admin shows while a year's holidays are due (``calendar.calendar_warning``)."""
    year = calendar_warning()
    if year is None:
        return None
    return _(
        "%(year)s 年的法定节假日尚未录入：落在该年的工作日时限暂按普通周末计算（暂定）。"
        "请用 gridcare import holidays 导入，或在此录入后添加“已录入日历年份” %(year)s。"
    ) % {"year": year}


class CalendarAdmin(AuditedAdmin):
    """An edit here is a calendar change like an import: every process reloads and the
    deadlines it moves are recomputed (``calendar``'s model signals); the list warns while
    a year's holidays are due."""

    def changelist_view(self, request, extra_context=None):
        text = calendar_warning_text()
        if text:
            messages.warning(request, text)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ["date", "is_working", "name"]
    list_filter = ["is_working"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdmin):
    list_display = ["year", "source"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor__username", "unit_path"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
