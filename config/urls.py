from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from gridcare.core.authz import public

api_patterns = [
    path("", include("gridcare.org.api.urls")),
    path("", include("gridcare.grid.api.urls")),
    path("", include("gridcare.customers.api.urls")),
    path("", include("gridcare.workorders.api.urls")),
    path("", include("gridcare.escalation.api.urls")),
    path("", include("gridcare.analytics.api.urls")),
    path("", include("gridcare.workforce.api.urls")),
    path("", include("gridcare.outages.api.urls")),
    path("", include("gridcare.applications.api.urls")),
    path("", include("gridcare.rectification.api.urls")),
    path("", include("gridcare.hall.api.urls")),
    path("", include("gridcare.knowledge.api.urls")),
    path("", include("gridcare.surveys.api.urls")),
    path("", include("gridcare.inspections.api.urls")),
    path("", include("gridcare.evaluation.api.urls")),
    path("", include("gridcare.supervision.api.urls")),
    path("", include("gridcare.partners.api.urls")),
    path("", include("gridcare.webhooks.api.urls")),
    path("", include("gridcare.portal.api.urls")),
    path("", include("gridcare.care.api.urls")),
    path("", include("gridcare.keyaccounts.api.urls")),
    path("", include("gridcare.proactive.api.urls")),
    path("", include("gridcare.dataquality.api.urls")),
    path("", include("gridcare.core.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The API's description is public (no data in it); every endpoint it describes is not.
    path("api/schema/", public(SpectacularAPIView.as_view()), name="schema"),
    # The split view serves its script from a URL: the Content-Security-Policy forbids inline script.
    path("api/docs/", public(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", public(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
    path("api/", include(api_patterns)),
    path("", include("gridcare.core.urls")),
    path("", include("gridcare.web.urls")),
    path("org/", include("gridcare.org.urls")),
    path("grid/", include("gridcare.grid.urls")),
    path("customers/", include("gridcare.customers.urls")),
    path("work-orders/", include("gridcare.workorders.urls")),
    path("escalation/", include("gridcare.escalation.urls")),
    path("analytics/", include("gridcare.analytics.urls")),
    path("workforce/", include("gridcare.workforce.urls")),
    path("outages/", include("gridcare.outages.urls")),
    path("applications/", include("gridcare.applications.urls")),
    path("rectification/", include("gridcare.rectification.urls")),
    path("hall/", include("gridcare.hall.urls")),
    path("knowledge/", include("gridcare.knowledge.urls")),
    path("surveys/", include("gridcare.surveys.urls")),
    path("inspections/", include("gridcare.inspections.urls")),
    path("evaluation/", include("gridcare.evaluation.urls")),
    path("supervision/", include("gridcare.supervision.urls")),
    path("partners/", include("gridcare.partners.urls")),
    path("webhooks/", include("gridcare.webhooks.urls")),
    path("open311/v2/", include("gridcare.partners.open311_urls")),
    path("portal/", include("gridcare.portal.urls")),
    path("care/", include("gridcare.care.urls")),
    path("key-accounts/", include("gridcare.keyaccounts.urls")),
    path("proactive/", include("gridcare.proactive.urls")),
    path("data-quality/", include("gridcare.dataquality.urls")),
]

# The API answers JSON also where no view was reached (unknown path, unparsable request).
handler400 = "gridcare.core.errorpages.bad_request"
handler404 = "gridcare.core.errorpages.not_found"
handler500 = "gridcare.core.errorpages.server_error"
