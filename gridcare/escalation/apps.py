from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "gridcare.escalation"
    label = "escalation"
