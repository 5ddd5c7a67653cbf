"""Grids and customer managers (网格化客户经理): the grid list, one grid (its areas, manager,
deputy — editable by supervisors), a new grid, handing a leaver's grids and customers over,
a key customer's own manager, and a manager's worklist."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import paginate
from gridcare.core.scoping import is_visible
from gridcare.core.worklist import worklist_sections

from . import selectors
from .services import customer_manager_set, managers_reassign, service_grid_save


def _user_label(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return f"{staff.display_name}（{user.get_username()}）" if staff else user.get_username()


class GridForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("网格编码"), max_length=32)
    name = forms.CharField(label=gettext_lazy("网格名称"), max_length=100)
    whole_station = forms.BooleanField(label=gettext_lazy("覆盖全所未划分台区"), required=False)
    manager = forms.ModelChoiceField(label=gettext_lazy("客户经理"), queryset=None, required=False)
    deputy = forms.ModelChoiceField(label=gettext_lazy("B角（代理客户经理）"), queryset=None, required=False)
    areas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("台区"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, station, **kwargs):
        from gridcare.grid.models import TransformerArea

        super().__init__(*args, **kwargs)
        people = selectors.manager_candidates(station)
        for name in ("manager", "deputy"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _user_label
        self.fields["areas"].queryset = TransformerArea.objects.filter(station=station).order_by("code")
        self.fields["areas"].label_from_instance = lambda a: f"{a.code} {a.name}"


@requires("customers.view_grids")
def grid_list(request):
    grids = selectors.grids_for(request.user).order_by("station__path", "code")
    station = request.GET.get("station", "").strip()[:32]
    if station:
        grids = grids.filter(station__code=station)
    ctx = paginate(request, grids)
    page = list(ctx["page_obj"])
    counts = selectors.grid_customer_counts(page)
    from django.db.models import Count

    from .models import ServiceGridArea

    areas = dict(
        ServiceGridArea.objects.filter(grid__in=page)
        .values_list("grid_id")
        .annotate(n=Count("id"))
        .values_list("grid_id", "n")
    )
    ctx["rows"] = [
        {
            "grid": g,
            "customers": counts.get(g.pk, 0),
            "areas": areas.get(g.pk, 0),
            "manager": _user_label(g.manager),
            "deputy": _user_label(g.deputy),
        }
        for g in page
    ]
    ctx["can_manage"] = has_perm(request.user, "customers.manage_grids")
    ctx["station"] = station
    return render(request, "customers/grid_list.html", ctx)


def _grid_form_page(request, grid, station):
    initial = {}
    if grid is not None:
        initial = {
            "code": grid.code,
            "name": grid.name,
            "whole_station": grid.whole_station,
            "manager": grid.manager,
            "deputy": grid.deputy,
            "areas": list(grid.memberships.values_list("area_id", flat=True)),
            "version": grid.version,
        }
    form = GridForm(request.POST or None, station=station, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grid = service_grid_save(
                actor=request.user,
                grid=grid,
                code=data["code"],
                name=data["name"],
                station=station,
                whole_station=data["whole_station"],
                manager=data["manager"],
                deputy=data["deputy"],
                area_ids=[a.pk for a in data["areas"]],
                version=data.get("version"),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("customers:grid", code=grid.code)
    return render(request, "customers/grid_edit.html", {"form": form, "grid": grid, "station": station})


@requires("customers.view_grids")
def grid_detail(request, code):
    grid = selectors.grid_get(request.user, code)
    if grid is None:
        raise Http404
    areas = grid.memberships.select_related("area").order_by("area__code")
    ctx = {
        "grid": grid,
        "manager": _user_label(grid.manager),
        "deputy": _user_label(grid.deputy),
        "customers": selectors.grid_customer_counts([grid]).get(grid.pk, 0),
        "can_manage": has_perm(request.user, "customers.manage_grids"),
        **paginate(request, areas, per_page=100),
    }
    return render(request, "customers/grid_detail.html", ctx)


@requires("customers.manage_grids")
def grid_edit(request, code):
    grid = selectors.grid_get(request.user, code)
    if grid is None:
        raise Http404
    return _grid_form_page(request, grid, grid.station)


@requires("customers.manage_grids")
def grid_new(request):
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit

    code = (request.GET.get("station") or request.POST.get("station") or "").strip()[:32]
    station = OrgUnit.objects.visible_to(request.user).filter(kind=UnitKind.STATION, code=code).first()
    if station is None:
        stations = OrgUnit.objects.visible_to(request.user).filter(kind=UnitKind.STATION).order_by("path")
        return render(request, "customers/grid_station_pick.html", {"stations": stations[:500]})
    return _grid_form_page(request, None, station)


class ReassignForm(forms.Form):
    from_user = forms.CharField(label=gettext_lazy("原客户经理（用户名）"), max_length=150)
    to_user = forms.CharField(
        label=gettext_lazy("接替人（用户名，留空则交回网格）"), max_length=150, required=False
    )


def _visible_user(actor, username: str, field: str):
    from gridcare.org.models import StaffProfile

    user = get_user_model().objects.filter(username=username).select_related("staff__unit").first()
    staff = getattr(user, "staff", None) if user is not None else None
    if staff is None or not StaffProfile.objects.visible_to(actor).filter(pk=staff.pk).exists():
        raise ApplicationError(_("找不到员工 %(name)s") % {"name": username}, field=field, code="not_found")
    return user


@requires("customers.manage_grids")
def grid_reassign(request):
    """Hand a leaver's grids (as manager or deputy) and own customers to someone else."""
    form = ReassignForm(request.POST or None, initial={"from_user": request.GET.get("from", "")[:150]})
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            from_user = _visible_user(request.user, form.cleaned_data["from_user"].strip(), "from_user")
            to_name = form.cleaned_data["to_user"].strip()
            to_user = _visible_user(request.user, to_name, "to_user") if to_name else None
            result = managers_reassign(actor=request.user, from_user=from_user, to_user=to_user)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "customers/grid_reassign.html", {"form": form, "result": result})


@requires("customers.manage_grids")
@require_POST
def customer_manager(request, customer_no):
    """Set (or clear) a key customer's own manager from the customer page."""
    customer = selectors.customer_get(request.user, customer_no)
    if customer is None:
        raise Http404
    name = (request.POST.get("manager") or "").strip()[:150]
    try:
        manager = _visible_user(request.user, name, "manager") if name else None
        customer_manager_set(actor=request.user, customer=customer, manager=manager)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存"))
    return redirect("customers:detail", customer_no=customer_no)


@requires("customers.worklist")
def worklist(request):
    """The signed-in customer manager's worklist: their customers' open orders, credit
    changes, frequent outages, due inspections, expiring plans… (sections from the apps
    that own them)."""
    return _worklist_page(request, request.user)


@requires("customers.manage_grids")
def worklist_of(request, username):
    """Another manager's worklist, for supervisors (the manager must be in their scope)."""
    manager = get_user_model().objects.filter(username=username).select_related("staff__unit").first()
    staff = getattr(manager, "staff", None) if manager is not None else None
    if staff is None or not is_visible(request.user, staff):
        raise Http404
    return _worklist_page(request, manager)


def _worklist_page(request, manager):
    customers = selectors.customers_for(request.user) & selectors.customers_managed_by(manager)
    grids = list(selectors.grids_served_by(manager).select_related("station").order_by("code"))
    return render(
        request,
        "customers/worklist.html",
        {
            "manager": manager,
            "manager_label": _user_label(manager),
            "own": manager.pk == request.user.pk,
            "grids": grids,
            "customer_count": customers.count(),
            "key_customers": customers.filter(manager=manager).select_related("area")[:50],
            "sections": worklist_sections(request.user, manager, customers),
        },
    )
