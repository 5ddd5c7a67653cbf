from django.contrib import admin

from gridcare.core.admin import AuditedAdmin

from .models import Feeder, Substation, TransformerArea


@admin.register(Substation)
class SubstationAdmin(AuditedAdmin):
    list_display = ["name", "voltage_kv"]
    search_fields = ["name"]


@admin.register(Feeder)
class FeederAdmin(AuditedAdmin):
    list_display = ["code", "name", "substation"]
    search_fields = ["code", "name"]


@admin.register(TransformerArea)
class TransformerAreaAdmin(admin.ModelAdmin):
    """Read-only here: transformer areas change through the grid import (audited, keeps 户变关系)."""

    list_display = ["code", "name", "feeder", "station", "capacity_kva", "area_class"]
    list_filter = ["area_class"]
    search_fields = ["code", "name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
