from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Read-only here: customer master data changes through services (UI, API, import), all audited."""

    list_display = ["customer_no", "name", "area", "station", "category", "important", "sensitive"]
    list_filter = ["category", "important", "sensitive"]
    search_fields = ["=customer_no", "name"]
    show_full_result_count = False
    list_select_related = ["area", "station"]
    exclude = ["phone", "phone2", "id_number"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
