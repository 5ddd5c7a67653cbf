from django.db.models import Count, Sum
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import requires
from gridcare.core.listing import export_response, paginate
from gridcare.org.choices import UnitKind
from gridcare.org.selectors import units_visible_to

from .exporters import export_grid
from .filters import TransformerAreaFilterSet
from .selectors import areas_for, feeders_for


@requires("grid.view")
def station_list(request):
    """Supply stations the user may see, with their transformer-area and customer counts."""
    stations = (
        units_visible_to(request.user)
        .filter(kind=UnitKind.STATION)
        .select_related("parent")
        .annotate(area_count=Count("transformer_areas", distinct=True))
        .order_by("path")
    )
    # A station's customers are all visible to whoever sees the station (customers are
    # scoped by their station), so its reverse relation is the scoped count.
    customer_counts = dict(
        units_visible_to(request.user)
        .filter(kind=UnitKind.STATION)
        .annotate(n=Count("customers"))
        .values_list("pk", "n")
    )
    rows = [(s, customer_counts.get(s.pk, 0)) for s in stations]
    return render(request, "grid/station_list.html", {"rows": rows})


@requires("grid.view")
def station_detail(request, code):
    station = units_visible_to(request.user).filter(kind=UnitKind.STATION, code=code).first()
    if station is None:
        raise Http404
    feeders = (
        feeders_for(request.user)
        .filter(areas__station=station)
        .select_related("substation")
        .annotate(area_count=Count("areas"))
        .order_by("code")
    )
    return render(request, "grid/station_detail.html", {"station": station, "feeders": feeders})


@requires("grid.view")
def feeder_detail(request, code):
    feeder = feeders_for(request.user).select_related("substation").filter(code=code).first()
    if feeder is None:
        raise Http404
    areas = (
        areas_for(request.user)
        .filter(feeder=feeder)
        .select_related("station")
        .annotate(customer_count=Count("customers"))
        .order_by("code")
    )
    return render(request, "grid/feeder_detail.html", {"feeder": feeder, "areas": areas})


@requires("grid.view")
def area_list(request):
    fs = TransformerAreaFilterSet(
        request.GET or None,
        queryset=areas_for(request.user).select_related("feeder", "station").order_by("code"),
    )
    qs = fs.qs if fs.is_bound and fs.is_valid() else fs.queryset
    return render(request, "grid/area_list.html", {"filter": fs, **paginate(request, qs)})


@requires("grid.view")
def area_detail(request, code):
    area = areas_for(request.user).select_related("feeder__substation", "station").filter(code=code).first()
    if area is None:
        raise Http404
    # Visible area ⇒ all its customers are visible (a customer's station is its area's).
    customers = area.customers.order_by("customer_no")
    load = customers.aggregate(total=Sum("capacity_kva"))["total"] or 0
    return render(
        request,
        "grid/area_detail.html",
        {
            "area": area,
            "load_kva": load,
            "events": audit_events_for(area)[:30],
            **paginate(request, customers),
        },
    )


@requires("grid.export")
def grid_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest("format must be csv or xlsx")
    headers, rows = export_grid(user=request.user)
    return export_response(fmt, "grid", headers, rows)
