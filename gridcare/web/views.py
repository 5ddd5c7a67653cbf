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


@requires("core.view_audit")
def audit_list(request):
    """Audit events of the user's units (admins: everything), filterable."""
    qs = AuditEvent.objects.visible_to(request.user).select_related("actor").order_by("-at", "-id")
    f = {k: request.GET.get(k, "").strip() for k in ("action", "object_type", "object_id", "actor", "unit")}
    if f["action"]:
        qs = qs.filter(action__startswith=f["action"])
    if f["object_type"]:
        qs = qs.filter(object_type=f["object_type"])
    if f["object_id"]:
        qs = qs.filter(object_id=f["object_id"])
    if f["actor"]:
        qs = qs.filter(actor__username=f["actor"])
    if f["unit"]:
        qs = qs.filter(unit_path__contains=f"/{f['unit']}/")
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
            "querystring_without_page": params.urlencode() + "&" if params else "",
        },
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
