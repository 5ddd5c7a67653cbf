"""The knowledge base at the intake desk: beside the description being typed, the articles
that answer it (``knowledge:suggest``, debounced), and a tick to record on the new order
that the agent answered from one of them."""

from __future__ import annotations

from gridcare.core.authz import has_perm
from gridcare.core.panels import register_detail_panel, register_intake_form_hook

from .models import Article

FIELD = "kb_article"


def intake_suggestions(user, obj) -> dict | None:
    if not has_perm(user, "knowledge.view"):
        return None
    return {"title": "", "template": "knowledge/_intake_panel.html", "context": {}}


def record_answer(actor, order, data) -> None:
    """The agent ticked an article as the answer: the order's timeline names it."""
    code = (data.get(FIELD) or "").strip()[:40]
    if not code or not has_perm(actor, "knowledge.send"):
        return
    from .services import article_answered

    article = Article.objects.filter(code=code).first()
    if article is not None:
        article_answered(actor=actor, article=article, order_no=order.order_no)


register_detail_panel("intake_form", intake_suggestions)
register_intake_form_hook(record_answer)
