"""Admin: outages read-only (every change goes through the services and their pages)."""

from django.contrib import admin

from .models import Outage, OutageArea


class OutageAreaInline(admin.TabularInline):
    model = OutageArea
    extra = 0
    can_delete = False
    fields = ["area", "started_at", "restored_at"]
    readonly_fields = fields
    raw_id_fields = ["area"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ["outage_no", "kind", "status", "planned_start", "started_at", "restored_at", "unit_path"]
    list_filter = ["status", "kind"]
    search_fields = ["outage_no", "cause"]
    inlines = [OutageAreaInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
