from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "gridcare.workorders"
    label = "workorders"
