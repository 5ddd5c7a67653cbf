from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

api_patterns = [
    path("", include("gridcare.org.api.urls")),
    path("", include("gridcare.grid.api.urls")),
    path("", include("gridcare.customers.api.urls")),
    path("", include("gridcare.workorders.api.urls")),
    path("", include("gridcare.escalation.api.urls")),
    path("", include("gridcare.analytics.api.urls")),
    path("", include("gridcare.workforce.api.urls")),
    path("", include("gridcare.core.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a URL: the Content-Security-Policy forbids inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/", include(api_patterns)),
    path("", include("gridcare.core.urls")),
    path("org/", include("gridcare.org.urls")),
    path("grid/", include("gridcare.grid.urls")),
    path("customers/", include("gridcare.customers.urls")),
    path("work-orders/", include("gridcare.workorders.urls")),
    path("escalation/", include("gridcare.escalation.urls")),
    path("analytics/", include("gridcare.analytics.urls")),
    path("workforce/", include("gridcare.workforce.urls")),
]
