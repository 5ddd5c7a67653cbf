from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridcare.core"
    label = "core"

    def ready(self) -> None:
        from .maintenance import optimize
        from .scheduling import register_periodic

        register_periodic("core.db_optimize", every_seconds=3600)(optimize)
