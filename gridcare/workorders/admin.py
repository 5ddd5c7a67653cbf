"""Admin: the commitment catalog and process settings are configuration; orders are read-only here."""

from django.contrib import admin

from gridcare.core.admin import AuditedAdmin

from .models import CommitmentRule, PolicySetting, WorkOrder, WorkOrderEvent


@admin.register(CommitmentRule)
class CommitmentRuleAdmin(AuditedAdmin):
    list_display = [
        "request_type",
        "subtype",
        "area_class",
        "customer_category",
        "kind",
        "amount",
        "basis",
        "after",
        "active",
        "description",
    ]
    list_filter = ["request_type", "kind", "basis", "active"]
    list_editable = ["amount", "active"]


@admin.register(PolicySetting)
class PolicySettingAdmin(AuditedAdmin):
    list_display = ["key", "value", "description"]
    list_editable = ["value"]


class WorkOrderEventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "note", "data"]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services (and so through the transition table)."""

    list_display = ["order_no", "status", "request_type", "dimension", "unit", "due_at", "created_at"]
    list_filter = ["status", "request_type", "channel"]
    search_fields = ["order_no", "contact_phone"]
    inlines = [WorkOrderEventInline]
    list_select_related = ["unit"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
