from django.contrib import admin

from .audit import audit_record, diff, snapshot
from .models import AuditEvent, CalendarDay, CalendarYear

admin.site.site_header = "GridCare 配置管理"
admin.site.site_title = "GridCare"


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


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "is_working", "name"]
    list_filter = ["is_working"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
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
