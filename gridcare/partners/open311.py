"""Open311 GeoReport v2 (``/open311/v2/``): services, service definitions, requests (list,
one, post) and tokens, each as ``.xml`` (the spec's elements) or ``.json``.

Decision: every endpoint needs an API key — the requests hold customers' words and
addresses. The key comes as the spec's ``api_key`` parameter (query string or form), as the
password (or user name) of HTTP Basic authentication (what a client that only reads, such
as the ``georeport`` package, can send through ``https://apikey:KEY@host/open311/v2``), or as an
``X-Api-Key`` header. A key reads only orders of its units and below and only calls the
endpoints it was allowed. Errors answer as the spec says
(``<errors><error><code/><description/></error></errors>`` / ``[{"code", "description"}]``)
with the HTTP status: 400 bad input, 401 no or unknown key, 403 revoked, expired or not
allowed, 404 not found, 429 over the minute's limit. Every call is recorded
(``PartnerCall``), whatever it answered.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from functools import wraps
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gridcare.core.authz import public
from gridcare.core.errors import ApplicationError
from gridcare.core.params import clamp_datetime
from gridcare.org.authentication import client_ip_address

from . import selectors, services
from .choices import CLOSED, MAX_IDS, MAX_SPAN_DAYS, OPEN, Endpoint
from .models import Open311Config, PartnerRequest, PartnerSetting

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# ------------------------------------------------------------------------ rendering


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        el = ET.SubElement(top, item)
        for name, value in row.items():
            child = ET.SubElement(el, name)
            if isinstance(value, list):
                continue  # an empty list (attributes) stays an empty element
            child.text = (
                "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
            )
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")


def _render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = _xml(root, item, rows)
    else:
        body = json.dumps(rows, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt, "errors", "error", [{"code": status, "description": description}], status=status)


# --------------------------------------------------------------------- the key and calls


def _presented_key(request) -> str:
    raw = request.POST.get("api_key", "") if request.method == "POST" else ""
    raw = raw or request.GET.get("api_key", "")
    if raw:
        return raw
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            user, _sep, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return ""
        return password or user
    return request.META.get("HTTP_X_API_KEY", "")


def _ip(request) -> str | None:
    return client_ip_address(request) or None


def endpoint(allowed: str, methods: tuple[str, ...] = ("GET",)):
    """An Open311 view: the format, the key (valid, allowed ``allowed``), the jurisdiction,
    the minute's limit — and the record of the call, whatever it answered. The view gets
    the key and answers rows; it raises ``Open311Error`` or ``ApplicationError``."""

    def deco(view):
        @public
        @csrf_exempt
        @wraps(view)
        def wrapped(request, fmt: str, **kwargs):
            now = timezone.now()
            key, prefix = None, ""
            try:
                if request.method not in methods:
                    raise Open311Error(405, _("不支持的请求方法"))
                if services.ip_blocked(_ip(request), now=now):
                    raise Open311Error(429, _("无效密钥尝试过多，请稍后再试"))
                check = selectors.key_for_secret(_presented_key(request), now)
                key, prefix = check.key, check.prefix
                if check.status == 401:
                    raise Open311Error(401, _("缺少或无效的 api_key"))
                if check.status == 403:
                    raise Open311Error(403, _("api_key 已吊销、已过期或合作方已停用"))
                need = Endpoint.OPEN311_POST if request.method == "POST" else allowed
                if not key.allows(need):
                    raise Open311Error(403, _("该 api_key 无权调用此接口"))
                if not services.rate_take(key=key, now=now):
                    raise Open311Error(429, _("调用过于频繁，请稍后再试"))
                params = request.POST if request.method == "POST" else request.GET
                jurisdiction = (params.get("jurisdiction_id") or "").strip()
                if jurisdiction and jurisdiction != Open311Config.current().jurisdiction_id:
                    raise Open311Error(404, _("未知的 jurisdiction_id"))
                response = view(request, fmt, key=key, now=now, **kwargs)
            except Open311Error as exc:
                response = _error(fmt, exc.status, exc.description)
            except ApplicationError as exc:
                text = f"{exc.field}: {exc.message}" if exc.field else exc.message
                response = _error(fmt, exc.status if exc.status in (400, 403, 404, 409, 422) else 400, text)
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            services.call_record(
                key=key,
                prefix=prefix,
                method=request.method,
                path=request.path,
                status=response.status_code,
                ip=_ip(request),
                now=now,
            )
            return response

        return wrapped

    return deco


# ------------------------------------------------------------------------------ views


def _service_row(m) -> dict:
    return {
        "service_code": m.service_code,
        "service_name": m.name,
        "description": m.description,
        "metadata": False,
        "type": "realtime",
        "keywords": m.keywords,
        "group": m.group,
    }


@endpoint(Endpoint.OPEN311_READ)
def services_list(request, fmt, *, key, now):
    return _render(fmt, "services", "service", [_service_row(m) for m in selectors.services_active()])


@endpoint(Endpoint.OPEN311_READ)
def service_definition(request, fmt, *, key, now, code):
    mapping = selectors.service_get(code)
    if mapping is None:
        raise Open311Error(404, _("未知的服务代码：%(code)s") % {"code": code[:64]})
    # No attributes of our own (``metadata`` is false): an empty list, as the spec allows.
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = mapping.service_code
        ET.SubElement(top, "attributes")
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    else:
        body = json.dumps({"service_code": mapping.service_code, "attributes": []}).encode()
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt])


def _when(value: str, field: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(400, _("%(field)s 须为 ISO 8601 时间") % {"field": field})
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
    except (ValueError, OverflowError):
        raise Open311Error(400, _("%(field)s 须为 ISO 8601 时间") % {"field": field}) from None
    # kept inside the years a query can convert, so "+ 90 days" cannot overflow either
    return clamp_datetime(parsed)


def _requests_get(request, fmt, key):
    qs = selectors.orders_for_key(key).select_related("unit")
    ids = (request.GET.get("service_request_id") or "").strip()
    if ids:
        numbers = [n.strip() for n in ids.split(",") if n.strip()]
        if len(numbers) > MAX_IDS:
            raise Open311Error(400, _("service_request_id 最多 %(n)s 个") % {"n": MAX_IDS})
        qs = qs.filter(order_no__in=numbers)
    else:
        codes = [c.strip() for c in (request.GET.get("service_code") or "").split(",") if c.strip()]
        if codes:
            mappings = [selectors.service_get(c) for c in codes[:50]]
            unknown = [c for c, m in zip(codes, mappings, strict=False) if m is None]
            if unknown or len(codes) > 50:
                raise Open311Error(400, _("未知的服务代码：%(code)s") % {"code": ",".join(unknown)[:100]})
            q = selectors.service_q(mappings[0])
            for m in mappings[1:]:
                q |= selectors.service_q(m)
            qs = qs.filter(q)
        statuses = {s.strip() for s in (request.GET.get("status") or "").split(",") if s.strip()}
        if statuses - {OPEN, CLOSED}:
            raise Open311Error(400, _("status 只能为 open 或 closed"))
        if len(statuses) == 1:
            qs = qs.filter(selectors.status_q(statuses.pop()))
        start = _when(request.GET.get("start_date"), "start_date")
        end = _when(request.GET.get("end_date"), "end_date")
        span = dt.timedelta(days=MAX_SPAN_DAYS)
        if start is None and end is None:
            end = timezone.now()
            start = end - span
        elif start is None:
            start = end - span
        elif end is None:
            end = start + span
        if end < start:
            raise Open311Error(400, _("end_date 不能早于 start_date"))
        if end - start > span:
            raise Open311Error(400, _("start_date 与 end_date 相隔不能超过 %(n)s 天") % {"n": MAX_SPAN_DAYS})
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
    limit = PartnerSetting.get(PartnerSetting.MAX_RESULTS)
    orders = qs.order_by("-created_at", "-pk")[:limit]
    return _render(fmt, "service_requests", "request", selectors.request_rows(orders))


@endpoint(Endpoint.OPEN311_READ, methods=("GET", "POST"))
def requests_view(request, fmt, *, key, now):
    if request.method == "GET":
        return _requests_get(request, fmt, key)
    p = request.POST
    pr = services.open311_submit(
        key=key,
        service_code=p.get("service_code", ""),
        description=p.get("description", ""),
        address_string=p.get("address_string", ""),
        lat=p.get("lat"),
        long=p.get("long"),
        first_name=p.get("first_name", ""),
        last_name=p.get("last_name", ""),
        phone=p.get("phone", ""),
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        now=now,
    )
    row = {"service_request_id": pr.order.order_no, "token": pr.token, "service_notice": "", "account_id": ""}
    return _render(fmt, "service_requests", "request", [row], status=201)


@endpoint(Endpoint.OPEN311_READ)
def request_detail(request, fmt, *, key, now, number):
    order = selectors.orders_for_key(key).select_related("unit").filter(order_no=number[:64]).first()
    if order is None:
        raise Open311Error(404, _("诉求不存在：%(id)s") % {"id": number[:64]})
    return _render(fmt, "service_requests", "request", selectors.request_rows([order]))


@endpoint(Endpoint.OPEN311_READ)
def token_detail(request, fmt, *, key, now, token):
    pr = (
        PartnerRequest.objects.filter(partner_id=key.partner_id, token=token[:32])
        .filter(order__in=selectors.orders_for_key(key))
        .select_related("order")
        .first()
    )
    if pr is None:
        raise Open311Error(404, _("令牌不存在：%(token)s") % {"token": token[:32]})
    return _render(
        fmt, "service_requests", "request", [{"service_request_id": pr.order.order_no, "token": pr.token}]
    )
