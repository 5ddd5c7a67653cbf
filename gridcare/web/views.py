"""The site's own pages: the start page of each role, sign-in, the audit log and the
data-import page. The top floor: it may show anything the domain apps offer."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridcare.core.authz import requires
from gridcare.core.errors import ApplicationError
from gridcare.core.models import AuditEvent
from gridcare.core.navigation import nav_for
from gridcare.core.tabular import IMPORTERS, ImportFailed


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        from django.conf import settings

        if settings.DEMO_MODE:
            from gridcare.demo.users import DEMO_PASSWORD, demo_logins

            ctx["demo_logins"] = demo_logins()
            ctx["demo_password"] = DEMO_PASSWORD
        return ctx

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            # The lockout (django-axes) refused the sign-in: say that, not "wrong password".
            from gridcare.org.authentication import lockout_message

            self.request.gridcare_lockout_shown = True
            form = self.get_form_class()(self.request, initial={"username": form.data.get("username", "")})
            ctx = self.get_context_data(form=form, lockout_message=lockout_message())
            return self.render_to_response(ctx, status=429)
        return super().form_invalid(form)


@requires("core.home")
def home(request):
    """A role's start page: the tiles of what this role does, plus each app's widgets."""
    from gridcare.core.home import widgets_for

    return render(request, "web/home.html", {"tiles": nav_for(request.user), "widgets": widgets_for(request)})


AUDIT_FILTERS = ("action", "object_type", "object_id", "actor", "unit", "since", "until")


def audit_events_filtered(user, params) -> tuple[object, dict]:
    """The audit events ``user`` may see, narrowed by the audit log's filters.

    ``action``: one code, or every code under a prefix ending in "." (``work_order.``);
    ``object_type``: exact; ``object_id``: the id, or a part of the object's name (an
    order or customer number); ``actor``: username (or a staff member's
    display name); ``unit``: a unit code, its units below included; ``since``/``until``:
    dates, both days included (local time). Returns the queryset and the cleaned filters.
    """
    import datetime as dt

    from django.db.models import Q

    from gridcare.core.calendar import local_tz
    from gridcare.core.limits import NAME_MAX
    from gridcare.core.params import date_param

    f = {k: str(params.get(k, "")).strip()[:NAME_MAX] for k in AUDIT_FILTERS}
    qs = AuditEvent.objects.visible_to(user).select_related("actor__staff").order_by("-at", "-id")
    if f["action"]:
        if f["action"].endswith("."):
            qs = qs.filter(action__startswith=f["action"])
        else:
            qs = qs.filter(action=f["action"])
    if f["object_type"]:
        qs = qs.filter(object_type=f["object_type"])
    if f["object_id"]:
        # The record's id, or what people know it by: an order number, a customer number
        # (in the object's name as the audit row recorded it: "张伟（3101000001）").
        qs = qs.filter(Q(object_id=f["object_id"]) | Q(object_repr__contains=f["object_id"]))
    if f["actor"]:
        qs = qs.filter(Q(actor__username=f["actor"]) | Q(actor__staff__display_name=f["actor"]))
    if f["unit"]:
        qs = qs.filter(unit_path__contains=f"/{f['unit']}/")
    tz = local_tz()
    for key in ("since", "until"):
        if not f[key]:
            continue
        day = date_param(f[key], None)
        if day is None:
            raise ApplicationError(_("日期格式应为 YYYY-MM-DD"), field=key, code="invalid")
        f[key] = day.isoformat()
        if key == "since":
            qs = qs.filter(at__gte=dt.datetime.combine(day, dt.time.min, tzinfo=tz))
        else:
            qs = qs.filter(at__lt=dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs, f


@requires("core.view_audit")
def audit_list(request):
    """Audit events of the user's units (admins: everything), in words, filterable."""
    from gridcare.core.audit import audit_action_groups, audit_object_choices

    status, error = 200, None
    try:
        qs, f = audit_events_filtered(request.user, request.GET)
    except ApplicationError as exc:  # a date that is no date: say which filter, show nothing
        status, error = 400, f"{exc.field}: {exc.message}"
        qs = AuditEvent.objects.none()
        f = {k: str(request.GET.get(k, ""))[:100] for k in AUDIT_FILTERS}
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/audit_list.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "f": f,
            "action_groups": audit_action_groups(),
            "object_choices": audit_object_choices(),
            "querystring_without_page": params.urlencode() + "&" if params else "",
            "error": error,
        },
        status=status,
    )


@requires("core.import")
def import_view(request):
    """Admins upload a grid/customer file; the report lists every bad row, nothing is written on error.

    Whatever is wrong with the file (damaged, not a table, too big, too many rows) is
    shown on the page, as is a database busy with another write (503): never a 500.
    """
    from django.conf import settings

    from gridcare.core.middleware import RETRY_AFTER_SECONDS, busy_message, is_database_busy

    report = None
    error = None
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind")
        upload = request.FILES.get("file")
        max_mb = getattr(settings, "GRIDCARE_IMPORT_MAX_UPLOAD_MB", 100)
        if kind not in IMPORTERS:
            error = _("请选择导入类型")
        elif upload is None:
            error = _("请选择文件")
        elif upload.size > max_mb * 1024 * 1024:
            error = _(
                "文件过大（%(size)s MB）：网页导入最大 %(limit)s MB，更大的文件请在服务器上用 "
                "gridcare import 命令导入"
            ) % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": max_mb}
            status = 413
        else:
            importer, _help = IMPORTERS[kind]
            try:
                report = importer(source=upload.read(), actor=request.user, name=upload.name)
                messages.success(request, report.as_text())
            except ImportFailed as exc:
                report = exc.report
            except ApplicationError as exc:
                error = exc.message
            except DatabaseError as exc:
                if not is_database_busy(exc):
                    raise
                error, status = busy_message(), 503
    kinds = sorted((k, h) for k, (_fn, h) in IMPORTERS.items())
    response = render(
        request, "web/import.html", {"kinds": kinds, "report": report, "error": error}, status=status
    )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# ----------------------------------------------------------------------------- settings


def _section_or_404(key: str):
    from django.http import Http404

    from gridcare.core.configuration import section

    found = section(key)
    if found is None:
        raise Http404
    return found


def _cell(obj, name: str):
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if callable(display) else getattr(obj, name)
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return "—" if value in (None, "") else value


@requires("core.configure")
def settings_index(request):
    """Everything an administrator configures in GridCare, one page per table."""
    from gridcare.core.configuration import sections

    rows = [{"section": s, "count": s.model._default_manager.count()} for s in sections()]
    return render(request, "web/settings_index.html", {"rows": rows})


@requires("core.configure")
def settings_list(request, key: str):
    from gridcare.core.listing import paginate

    sec = _section_or_404(key)
    qs = sec.model._default_manager.all()
    ctx = paginate(request, qs, 50)
    headers = [sec.model._meta.get_field(c).verbose_name for c in sec.list_columns]
    ctx["table"] = [(obj, [_cell(obj, c) for c in sec.list_columns]) for obj in ctx["page_obj"]]
    ctx.update({"sec": sec, "headers": headers})
    return render(request, "web/settings_list.html", ctx)


@requires("core.configure")
def settings_edit(request, key: str, pk: str):
    """Create (``pk`` "new") or change one row; a stale form (someone saved the row since it
    was opened) is refused, nothing is lost: the form comes back with what was typed."""
    from django.forms import modelform_factory
    from django.http import Http404
    from django.shortcuts import redirect

    from gridcare.core.configuration import config_delete, config_save, row_stamp
    from gridcare.core.params import id_param

    sec = _section_or_404(key)
    if pk == "new":
        if not sec.can_add:
            raise Http404
        instance = sec.model()
    else:
        number = id_param(pk)
        instance = sec.model._default_manager.filter(pk=number).first() if number else None
        if instance is None:
            raise Http404
    form_class = modelform_factory(sec.model, fields=list(sec.fields))
    form = form_class(
        request.POST or None, instance=sec.model._default_manager.get(pk=instance.pk) if instance.pk else None
    )
    stamp = row_stamp(instance, sec.fields) if instance.pk else ""
    if request.method == "POST":
        if request.POST.get("delete") and instance.pk:
            try:
                config_delete(actor=request.user, section=sec, instance=instance)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已删除"))
                return redirect("settings-list", key=key)
        elif form.is_valid():
            try:
                data = {name: form.cleaned_data[name] for name in sec.fields}
                config_save(
                    actor=request.user,
                    section=sec,
                    instance=instance,
                    data=data,
                    stamp=request.POST.get("stamp", ""),
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已保存"))
                return redirect("settings-list", key=key)
    return render(
        request,
        "web/settings_edit.html",
        {"sec": sec, "form": form, "instance": instance, "stamp": request.POST.get("stamp", stamp)},
    )
