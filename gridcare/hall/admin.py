"""Admin: hall tickets read-only (every change goes through the services and their pages)."""

from django.contrib import admin

from .models import Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "hall", "day", "number", "status", "priority", "issued_at", "called_at"]
    list_filter = ["status", "priority"]
    search_fields = ["number"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
