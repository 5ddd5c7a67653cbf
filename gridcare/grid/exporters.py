from gridcare.core.authz import require
from gridcare.core.exporting import register_exporter
from gridcare.core.tabular import column_headers

from .importers import COLUMN_LABELS, COLUMNS
from .selectors import areas_for


@register_exporter("grid")
def export_grid(*, user, unmasked: bool = False):
    require(user, "grid.export")
    qs = (
        areas_for(user)
        .order_by("code")
        .values_list(
            "station__code",
            "station__name",
            "feeder__substation__name",
            "feeder__code",
            "feeder__name",
            "code",
            "name",
            "capacity_kva",
            "area_class",
        )
    )

    def rows():
        for r in qs.iterator(chunk_size=5000):
            yield (*r[:7], str(r[7]), r[8])

    return column_headers(COLUMNS, COLUMN_LABELS), rows()
