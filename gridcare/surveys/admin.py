"""Admin: survey campaigns read-only (every change goes through the services and their pages)."""

from django.contrib import admin

from .models import SurveyCampaign


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "unit_path", "status", "opens_on", "closes_on", "sample_size"]
    list_filter = ["status"]
    search_fields = ["title"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
