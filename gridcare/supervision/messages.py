"""What supervision writes for people to read later (in-app reminders), as codes."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

register("supervision.consultation_due", _("%(unit)s应于 %(due)s 前召开社会监督员座谈，请提前安排"))
register(
    "supervision.consultation_overdue", _("%(unit)s的社会监督员座谈已逾期（应于 %(due)s 召开），请尽快安排")
)
