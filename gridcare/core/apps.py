from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_tables(using: str = "default", **_kwargs) -> None:
    """The shared cache lives in the database (settings CACHES["shared"]): every ``migrate``
    (`gridcare migrate`, `gridcare demo`, `gridcare serve`, the test database) creates its
    table when missing."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "gridcare.core"
    label = "core"

    def ready(self) -> None:
        from . import home, importers  # noqa: F401  (calendar warning widget; `gridcare import holidays`)

        post_migrate.connect(_create_cache_tables, sender=self, dispatch_uid="gridcare_cache_tables")
