"""Admin: applications read-only (every change goes through the services and their pages)."""

from django.contrib import admin

from .models import Application


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "category", "applicant_name", "unit_path", "status", "due_at"]
    list_filter = ["status", "kind", "category"]
    search_fields = ["applicant_name"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
