"""Admin: appointments and assessments read-only (every change goes through the services and
their pages; the weights and the checklist are edited on the settings pages)."""

from django.contrib import admin

from .models import ExpertAppointment, ExpertAssessment


class _ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertAppointment)
class ExpertAppointmentAdmin(_ReadOnly):
    list_display = ["id", "user", "unit_path", "valid_from", "valid_to"]


@admin.register(ExpertAssessment)
class ExpertAssessmentAdmin(_ReadOnly):
    list_display = ["id", "target_key", "period", "expert", "total"]
    list_filter = ["target_kind", "period"]
