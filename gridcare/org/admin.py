from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from gridcare.core.admin import AuditedAdmin
from gridcare.core.errors import ApplicationError

from .models import OrgUnit, StaffProfile
from .services import org_unit_move


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(queryset=OrgUnit.objects.order_by("path"), label=_("新的上级单位"))


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    """Units are created here; an existing unit's code and parent are read-only — moving it
    rewrites every path below it and every scoped row, which only ``org_unit_move`` does
    (the "移动" page, linked from the unit)."""

    list_display = ["code", "name", "kind", "parent", "path", "area_class"]
    list_filter = ["kind", "area_class"]
    search_fields = ["code", "name"]
    readonly_fields = ["path"]
    change_form_template = "admin/org/orgunit/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return ["path", "code", "parent"]
        return ["path"]

    def get_urls(self):
        return [
            path("<int:pk>/move/", self.admin_site.admin_view(self.move_view), name="org_orgunit_move"),
            *super().get_urls(),
        ]

    def move_view(self, request, pk):
        unit = OrgUnit.objects.get(pk=pk)
        if not self.has_change_permission(request, unit):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = MoveForm(request.POST or None)
        form.fields["new_parent"].queryset = OrgUnit.objects.exclude(path__startswith=unit.path).order_by(
            "path"
        )
        if request.method == "POST" and form.is_valid():
            try:
                moved = org_unit_move(
                    actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"]
                )
            except ApplicationError as exc:
                form.add_error("new_parent", exc.message)
            else:
                messages.success(request, _("已移动：%(path)s") % {"path": moved.path})
                return redirect(reverse("admin:org_orgunit_change", args=[unit.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("移动单位“%(name)s”") % {"name": unit.name},
            "unit": unit,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/org/orgunit/move.html", context)


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["display_name", "user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["display_name", "user__username", "unit__name"]
    autocomplete_fields = ["unit"]
