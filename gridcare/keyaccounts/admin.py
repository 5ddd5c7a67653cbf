"""Admin: key-account rows read-only (every change goes through the services and their
pages; the packages on GridCare's settings pages)."""

from django.contrib import admin

from .models import EmergencyPlan, SafetyInspection, Subscription


class _ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(_ReadOnly):
    list_display = ["customer", "package", "start_date", "ended_on"]
    raw_id_fields = ["customer"]


@admin.register(SafetyInspection)
class SafetyInspectionAdmin(_ReadOnly):
    list_display = ["customer", "seq", "due_date", "status", "done_on"]
    list_filter = ["status"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(_ReadOnly):
    list_display = ["customer", "title", "review_date", "active"]
    list_filter = ["active"]
