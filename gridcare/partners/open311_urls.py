"""Open311 GeoReport v2, mounted at ``/open311/v2/`` (config/urls.py)."""

from django.urls import re_path

from . import open311

FMT = r"\.(?P<fmt>xml|json)$"
urlpatterns = [
    re_path(r"^services" + FMT, open311.services_list, name="open311-services"),
    re_path(
        r"^services/(?P<code>[A-Za-z0-9_.-]{1,64}?)" + FMT, open311.service_definition, name="open311-service"
    ),
    re_path(r"^requests" + FMT, open311.requests_view, name="open311-requests"),
    re_path(
        r"^requests/(?P<number>[A-Za-z0-9_-]{1,64})" + FMT, open311.request_detail, name="open311-request"
    ),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9]{1,64})" + FMT, open311.token_detail, name="open311-token"),
]
