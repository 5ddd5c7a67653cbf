from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_POST

from gridcare.core.audit import audit_events_for
from gridcare.core.authz import has_perm, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.listing import export_response, paginate
from gridcare.core.textutil import mask_id_number, mask_phone

from .exporters import export_customers
from .filters import CustomerFilterSet
from .selectors import customer_get, customers_for
from .services import customer_reveal_personal_data


@requires("customers.view")
def customer_list(request):
    fs = CustomerFilterSet(
        request.GET or None,
        queryset=customers_for(request.user).select_related("area", "station").order_by("customer_no"),
    )
    qs = fs.qs if fs.is_bound and fs.is_valid() else fs.queryset
    ctx = {"filter": fs, **paginate(request, qs)}
    if request.htmx:
        return render(request, "customers/_customer_rows.html", ctx)
    return render(request, "customers/customer_list.html", ctx)


@requires("customers.view")
def customer_detail(request, customer_no):
    from .selectors import grid_of, is_key_customer, responsible_manager

    customer = customer_get(request.user, customer_no)
    if customer is None:
        raise Http404
    grid = grid_of(customer)
    manager = responsible_manager(customer, grid=grid)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "c": customer,
            "grid": grid,
            "manager": manager,
            "manager_staff": getattr(manager, "staff", None) if manager is not None else None,
            "own_manager": bool(customer.manager_id)
            and manager is not None
            and manager.pk == customer.manager_id,
            "can_set_manager": is_key_customer(customer) and has_perm(request.user, "customers.manage_grids"),
            "phone_masked": mask_phone(customer.phone),
            "phone2_masked": mask_phone(customer.phone2),
            "id_masked": mask_id_number(customer.id_number),
            "can_reveal": has_perm(request.user, "customers.reveal"),
            "events": audit_events_for(customer)[:50],
        },
    )


@requires("customers.reveal")
@require_POST
def customer_reveal(request, customer_no):
    customer = customer_get(request.user, customer_no)
    if customer is None:
        raise Http404
    try:
        data = customer_reveal_personal_data(
            actor=request.user, customer=customer, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        return render(request, "customers/_personal.html", {"error": exc.message}, status=exc.status)
    return render(request, "customers/_personal.html", {"data": data})


@requires("customers.update")
def customer_edit(request, customer_no):
    """Master-data edit for customer managers, counter clerks and admins (audited by the service)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from gridcare.grid.selectors import areas_for

    from .forms import CustomerForm
    from .services import customer_update

    customer = customer_get(request.user, customer_no)
    if customer is None:
        raise Http404
    form = CustomerForm(request.POST or None, instance=customer, areas=areas_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "area_code"}
        data["area"] = form.cleaned_data["area_code"]
        # The form bound a copy of the instance; the service re-reads and locks the row.
        fresh = type(customer).objects.get(pk=customer.pk)
        try:
            customer_update(actor=request.user, customer=fresh, data=data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已保存")
            return redirect("customers:detail", customer_no=customer_no)
    return render(request, "customers/customer_edit.html", {"c": customer, "form": form})


@requires("customers.export")
def customer_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest("format must be csv or xlsx")
    headers, rows = export_customers(user=request.user)
    return export_response(fmt, "customers", headers, rows)
