from django.apps import AppConfig


class GridConfig(AppConfig):
    name = "gridcare.grid"
    label = "grid"
