from django.contrib import admin

from gridcare.core.admin import AuditedAdmin

from .models import OrgUnit, StaffProfile


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "parent", "path", "area_class"]
    list_filter = ["kind", "area_class"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["display_name", "user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["display_name", "user__username", "unit__name"]
    autocomplete_fields = ["unit"]
