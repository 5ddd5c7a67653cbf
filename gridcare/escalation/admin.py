"""Admin: the configuration of warnings, callbacks, authority limits, notification rules and
settings, audited.

Everything else of the escalation domain (escalations, callbacks, failures, recovery)
changes only through the services and their pages, so it is not editable here.
"""

from django.contrib import admin

from gridcare.core.admin import AuditedAdmin

from .models import AuthorityLimit, CallbackRule, EscalationSetting, NotificationRule, WarningLevel


@admin.register(WarningLevel)
class WarningLevelAdmin(AuditedAdmin):
    list_display = ["code", "name", "percent", "escalate", "active"]
    list_editable = ["percent", "escalate", "active"]
    list_filter = ["escalate", "active"]


@admin.register(CallbackRule)
class CallbackRuleAdmin(AuditedAdmin):
    list_display = ["request_type", "sample_percent"]
    list_editable = ["sample_percent"]


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(AuditedAdmin):
    list_display = ["role", "unit_kind", "max_amount", "description"]
    list_editable = ["max_amount"]
    list_filter = ["role", "unit_kind"]


@admin.register(EscalationSetting)
class EscalationSettingAdmin(AuditedAdmin):
    list_display = ["key", "value", "description"]
    list_editable = ["value"]
    search_fields = ["key", "description"]


@admin.register(NotificationRule)
class NotificationRuleAdmin(AuditedAdmin):
    """Who is told of which order event: at once, in the daily digest, or not at all."""

    list_display = ["event", "recipient", "delivery"]
    list_editable = ["delivery"]
    list_filter = ["event", "recipient", "delivery"]
