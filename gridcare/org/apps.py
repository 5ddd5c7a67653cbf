from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "gridcare.org"
    label = "org"

    def ready(self) -> None:
        # The organisation owns roles and units: it tells core's authorization and scoping
        # layers how to read a user's role, unit level and reach, and gives them THE table.
        from gridcare.core import authz, scoping

        from . import audit_labels  # noqa: F401  (audit rows in words)
        from .permissions import PERMISSIONS
        from .selectors import user_role, user_scope_path, user_unit_kind, visible_station_ids

        authz.configure(permissions=PERMISSIONS, role_of=user_role, unit_kind_of=user_unit_kind)
        scoping.configure(scope_path_of=user_scope_path, station_ids_of=visible_station_ids)

        from . import importers  # noqa: F401  (`gridcare import org|staff`)
