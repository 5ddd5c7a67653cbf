"""The customer portal's pages (public: no staff sign-in; mobile first, no staff header) and
the staff's review of contact changes.

A customer is signed in to the portal when the Django session holds their id
(``portal:cid``) with an expiry (``portal:until``); that is not a staff login. Every
customer page reads the customer from the session and shows only their own rows: another
customer's order is a 404, like an order that does not exist.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gridcare.applications.choices import TimeWindow
from gridcare.applications.selectors import applications_of_customer
from gridcare.applications.services import HOME_VISIT_MAX_DAYS, home_visit_book_by_customer
from gridcare.core.authz import public, requires
from gridcare.core.errors import ApplicationError
from gridcare.core.scoping import is_visible
from gridcare.core.textutil import mask_phone
from gridcare.core.uploads import serve_document
from gridcare.customers.models import Customer
from gridcare.org.authentication import client_ip_address
from gridcare.workorders.choices import ApplicationSubtype, Dimension, RequestType

from . import selectors, services
from .choices import PORTAL_TYPES, RATING_SCORES, SESSION_SECONDS, ChangeStatus, ReportTopic
from .models import ContactChange, PortalAttachment

SESSION_CID = "portal:cid"
SESSION_UNTIL = "portal:until"
SESSION_CODE = "portal:code"
SESSION_QUESTION = "portal:q"


def client_ip(request) -> str | None:
    """The client's address the limits count against (behind the reverse proxy: the address
    the proxy saw, ``org.authentication.client_ip_address``)."""
    return client_ip_address(request) or None


def portal_customer(request) -> Customer | None:
    """The customer signed in to the portal in this session, or None (expired sessions end)."""
    cid = request.session.get(SESSION_CID)
    until = request.session.get(SESSION_UNTIL) or 0
    if not cid:
        return None
    if until < time.time():
        sign_out(request)
        return None
    return Customer.objects.select_related("station", "area").filter(pk=cid).first()


def sign_in(request, customer: Customer) -> None:
    request.session.cycle_key()  # a new session key at sign-in (no fixation)
    request.session[SESSION_CID] = customer.pk
    request.session[SESSION_UNTIL] = int(time.time()) + SESSION_SECONDS
    request.session.pop(SESSION_CODE, None)


def sign_out(request) -> None:
    for key in (SESSION_CID, SESSION_UNTIL, SESSION_CODE):
        request.session.pop(key, None)


def customer_page(view):
    """A portal page for a signed-in customer: the customer is passed on; without one, the
    sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        customer = portal_customer(request)
        if customer is None:
            return redirect("portal:signin")
        return view(request, customer, *args, **kwargs)

    return wrapped


# ------------------------------------------------------------------- the question


def _new_question(request) -> str:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    request.session[SESSION_QUESTION] = services.keyed_hash(
        "question", f"{request.session.session_key}:{a + b}"
    )
    return _("%(a)s 加 %(b)s 等于多少？") % {"a": a, "b": b}


def _question_ok(request) -> bool:
    """The answer posted to the arithmetic question is right (one answer per question)."""
    expected = request.session.pop(SESSION_QUESTION, None)
    answer = (request.POST.get("answer") or "").strip()[:4]
    if not expected or not answer.isdigit():
        return False
    return secrets.compare_digest(
        expected, services.keyed_hash("question", f"{request.session.session_key}:{int(answer)}")
    )


def _guarded(request) -> tuple[bool, str]:
    """(passes, question to show next): after repeated failures from the caller's IP a
    posted form must carry the right answer to the arithmetic question."""
    if not services.challenge_needed(client_ip(request)):
        return True, ""
    if request.method == "POST":
        if not request.session.session_key:
            request.session.save()
        ok = _question_ok(request)
        return ok, _new_question(request)
    if not request.session.session_key:
        request.session.save()
    return True, _new_question(request)


# --------------------------------------------------------------------------- sign-in


@public
@never_cache
def signin(request):
    if portal_customer(request) is not None:
        return redirect("portal:home")
    values = {"customer_no": "", "phone": ""}
    error = ""
    status = 200
    ok, question = _guarded(request)
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip()[:30] for k in values}
        if not ok:
            error = _("请正确回答验证问题")
            status = 400
        else:
            try:
                row = services.code_request(
                    customer_no=values["customer_no"], phone=values["phone"], ip=client_ip(request)
                )
            except ApplicationError as exc:
                error, status = exc.message, exc.status
            else:
                request.session[SESSION_CODE] = row.pk
                return redirect("portal:verify")
    return render(
        request,
        "portal/signin.html",
        {"values": values, "error": error, "question": question},
        status=status,
    )


@public
@never_cache
def verify(request):
    code_id = request.session.get(SESSION_CODE)
    if not code_id:
        return redirect("portal:signin")
    error = ""
    status = 200
    ok, question = _guarded(request)
    if request.method == "POST":
        if not ok:
            error, status = _("请正确回答验证问题"), 400
        else:
            try:
                customer = services.code_verify(
                    code_id=code_id, code=request.POST.get("code") or "", ip=client_ip(request)
                )
            except ApplicationError as exc:
                error, status = exc.message, exc.status
                ok, question = _guarded_after_failure(request, question)
            else:
                sign_in(request, customer)
                return redirect("portal:home")
    return render(request, "portal/verify.html", {"error": error, "question": question}, status=status)


def _guarded_after_failure(request, question: str) -> tuple[bool, str]:
    """After a wrong code the question may have become due: ask it on the next try."""
    if question or not services.challenge_needed(client_ip(request)):
        return True, question
    if not request.session.session_key:
        request.session.save()
    return True, _new_question(request)


@public
@require_POST
def signout(request):
    sign_out(request)
    return redirect("portal:signin")


# ------------------------------------------------------------------------- the home


@public
@never_cache
@customer_page
def home(request, customer):
    orders = list(selectors.orders_of(customer)[:3])
    for o in orders:
        o.words = selectors.status_words(o.status)
    return render(
        request,
        "portal/home.html",
        {
            "customer": customer,
            "name": _masked_name(customer.name),
            "orders": orders,
            "outages": selectors.outages_for_customer(customer),
            "tab": "home",
        },
    )


def _masked_name(name: str) -> str:
    name = (name or "").strip()
    return name[:1] + "*" * min(max(len(name) - 1, 1), 4) if name else ""


# --------------------------------------------------------------------------- orders


def _type_choices():
    return [(t, RequestType(t).label) for t in PORTAL_TYPES]


@public
@never_cache
@customer_page
def submit(request, customer):
    values = {
        "request_type": request.GET.get("type", "") if request.GET.get("type") in PORTAL_TYPES else "",
        "subtype": "",
        "dimension": "",
        "description": "",
    }
    error = ""
    status = 200
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            order = services.request_submit(
                customer=customer,
                request_type=values["request_type"],
                subtype=values["subtype"]
                if values["request_type"] == RequestType.SERVICE_APPLICATION
                else "",
                dimension=values["dimension"],
                description=values["description"],
                files=request.FILES.getlist("attachments"),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("提交成功，我们会尽快处理，请留意短信通知"))
            return redirect("portal:order", pk=order.pk)
    return render(
        request,
        "portal/submit.html",
        {
            "values": values,
            "error": error,
            "types": _type_choices(),
            "subtypes": ApplicationSubtype.choices,
            "dimensions": Dimension.choices,
            "tab": "submit",
        },
        status=status,
    )


@public
@never_cache
@customer_page
def orders(request, customer):
    page = Paginator(selectors.orders_of(customer), 20).get_page(request.GET.get("page"))
    for o in page:
        o.words = selectors.status_words(o.status)
    return render(request, "portal/orders.html", {"page_obj": page, "tab": "orders"})


@public
@never_cache
@customer_page
def order(request, customer, pk):
    found = selectors.order_of(customer, pk)
    if found is None:
        raise Http404
    rating = selectors.rating_of(found)
    return render(
        request,
        "portal/order.html",
        {
            "order": found,
            "words": selectors.status_words(found.status),
            "steps": selectors.order_timeline(found),
            "attachments": selectors.attachments_of(found),
            "rating": rating,
            "can_rate": selectors.can_rate(found, rating),
            "scores": list(reversed(RATING_SCORES)),
            "tab": "orders",
        },
    )


@public
@require_POST
@customer_page
def rate(request, customer, pk):
    if selectors.order_of(customer, pk) is None:
        raise Http404
    try:
        services.order_rate(
            customer=customer,
            order=int(pk),
            score=request.POST.get("score"),
            words=request.POST.get("words", ""),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("portal:order", pk=pk)


# ------------------------------------------------------------ outages and knowledge


@public
@never_cache
@customer_page
def outages(request, customer):
    return render(
        request, "portal/outages.html", {"outages": selectors.outages_for_customer(customer), "tab": "home"}
    )


@public
def articles(request):
    q = (request.GET.get("q") or "").strip()[:50]
    customer = portal_customer(request)
    return render(
        request,
        "portal/articles.html",
        {
            "articles": selectors.public_articles(customer=customer, q=q),
            "q": q,
            "signed_in": customer is not None,
        },
    )


@public
def article(request, pk):
    found = selectors.public_article(pk, customer=portal_customer(request))
    if found is None:
        raise Http404
    return render(request, "portal/article.html", {"article": found, "version": found.published})


# ------------------------------------------------------------------ contact changes


@public
@never_cache
@customer_page
def contact(request, customer):
    values = {"phone": "", "address": "", "note": ""}
    error = ""
    status = 200
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            services.contact_change_request(customer=customer, **values)
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("申请已提交，工作人员审核后生效，结果将短信通知您"))
            return redirect("portal:contact")
    return render(
        request,
        "portal/contact.html",
        {
            "values": values,
            "error": error,
            "phone_masked": mask_phone(customer.phone),
            "address": customer.address,
            "pending": selectors.pending_contact_change(customer),
            "latest": selectors.latest_contact_change(customer),
            "tab": "contact",
        },
        status=status,
    )


# ----------------------------------------------------------------- anonymous reports


@public
@never_cache
def report(request):
    values = {"topic": "", "description": "", "address": ""}
    error = ""
    status = 200
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        try:
            _order, code = services.report_submit(
                topic=values["topic"],
                description=values["description"],
                address=values["address"],
                files=request.FILES.getlist("attachments"),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            return render(request, "portal/report_done.html", {"code": code})
    return render(
        request,
        "portal/report.html",
        {"values": values, "error": error, "topics": ReportTopic.choices},
        status=status,
    )


@public
@never_cache
def report_status(request):
    code = (request.POST.get("code") or "").strip()[:40] if request.method == "POST" else ""
    found = None
    error = ""
    status = 200
    if request.method == "POST":
        try:
            found = services.report_lookup(code=code, ip=client_ip(request))
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            if found is None:
                error, status = _("查询码不正确"), 404
    steps = selectors.order_timeline(found) if found is not None else []
    return render(
        request,
        "portal/report_status.html",
        {
            "order": found,
            "words": selectors.status_words(found.status) if found else "",
            "steps": [s for s in steps if not s.detail] if found else [],
            "replied": bool(found and found.reply),
            "error": error,
        },
        status=status,
    )


# ---------------------------------------------------------- business applications


@public
@never_cache
def apply(request):
    customer = portal_customer(request)
    return render(
        request,
        "portal/apply.html",
        {
            "signed_in": customer is not None,
            "applications": applications_of_customer(customer) if customer is not None else [],
            "windows": TimeWindow.choices,
            "today": timezone.localdate(),
            "last_day": timezone.localdate() + dt.timedelta(days=HOME_VISIT_MAX_DAYS),
        },
    )


@public
@require_POST
@customer_page
def application_book(request, customer, pk):
    """The customer books (or moves) the home visit of their own application."""
    raw = (request.POST.get("date") or "").strip()
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        day = None
    try:
        home_visit_book_by_customer(
            customer=customer,
            application=pk,
            date=day,
            window=request.POST.get("window") or "",
            actor=services.portal_actor(),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("上门服务已预约，我们会短信通知您"))
    return redirect(reverse("portal:apply") + f"#app-{pk}")


# ------------------------------------------------------------------- staff: review


@requires(services.REVIEW_PERM)
def review_list(request):
    status = request.GET.get("status", ChangeStatus.PENDING)
    if status not in ChangeStatus.values:
        status = ChangeStatus.PENDING
    page = Paginator(selectors.contact_changes_for(request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/review_list.html",
        {"page_obj": page, "status": status, "statuses": ChangeStatus.choices},
    )


@requires(services.REVIEW_PERM)
@require_POST
def review(request, pk):
    change = ContactChange.objects.visible_to(request.user).filter(pk=pk).first()
    if change is None:
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("请选择通过或驳回"))
        return redirect("portal:review-list")
    try:
        services.contact_change_review(
            actor=request.user,
            change=change,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
            expected_version=request.POST.get("expected_version") or None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已通过，客户档案已更新") if decision == "approve" else _("已驳回"))
    return redirect("portal:review-list")


@requires("workorders.view")
def attachment(request, token):
    """A file a customer attached, for staff who may see the order."""
    att = PortalAttachment.objects.select_related("order").filter(token=str(token)[:32]).first()
    if att is None or not is_visible(request.user, att.order):
        raise Http404
    return serve_document(att.file, content_type=att.content_type, filename=f"{att.token}.{att.extension}")
