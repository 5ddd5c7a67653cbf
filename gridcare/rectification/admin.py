"""Admin: rectification items read-only (every change goes through the services and their pages)."""

from django.contrib import admin

from .models import RectificationItem


@admin.register(RectificationItem)
class RectificationItemAdmin(admin.ModelAdmin):
    list_display = ["id", "source_kind", "title", "unit_path", "status", "due_date"]
    list_filter = ["status", "source_kind"]
    search_fields = ["title", "source_ref"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
